"""Claims of the verify service."""
