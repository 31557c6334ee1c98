"""Tests of the modal stand-in, the script checks and the sample solution tool."""
