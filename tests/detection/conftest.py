"""Claim detection tests are pure: they need neither the broker nor the store."""
