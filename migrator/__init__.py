"""migrator: move NeMo AutoModel recipes off bf16 Adam state."""

__version__ = "0.1.0"
