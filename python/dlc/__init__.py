"""dlc: an MLIR-based deep-learning compiler (Python package)."""
