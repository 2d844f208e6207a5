"""The verify service."""
