"""Queue of the verify service."""
