"""Simulated heavy dependencies served to user code inside the simulated container."""
