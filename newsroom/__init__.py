"""The ``newsroom`` command and the embedded stack it runs (not imported by the services)."""
