"""The bad-input table of ``tests/invariants/test_bad_input.py``, in parts: what the
requests aim at and the probes (``world``), the requests by service (``cases``), the
text policy and the HTTP edges (``policy``)."""
