"""Webhook subscriptions and signed, retried deliveries."""
