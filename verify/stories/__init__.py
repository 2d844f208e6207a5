"""Stories of the verify service."""
