"""Views of the per-file results: each formatter renders the same list."""
