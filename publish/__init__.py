"""The publish service."""
