"""Claim memory: recognise a claim that was reviewed before, in another story.

Pure functions, no I/O: :func:`read` turns a claim's text into the :class:`Statement` it
makes (attribution cut out, terms normalised); :func:`bands` gives the LSH keys under
which it is stored and looked up; :func:`compare` decides whether two statements make
one assertion, and how close they are.
"""

from __future__ import annotations

from .compare import DIFFERENCES, Comparison, compare
from .fingerprint import BANDS, bands
from .statement import Statement, read

__all__ = ["BANDS", "DIFFERENCES", "Comparison", "Statement", "bands", "compare", "read"]
