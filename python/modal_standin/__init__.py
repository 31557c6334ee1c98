"""Local stand-in for the `modal` CLI: runs a Modal app's entrypoint in-process with
simulated heavy dependencies (torch, transformers, prismatic, LIBERO) and simulated time."""
