"""Claim detection for the verify service: pure functions over a story body, no I/O.

detect_claims finds every checkable claim with its attributions and the signals that
make it contested; analyse_span does the same for a span a reporter or reviewer chose;
split_sentences gives the sentence spans everything else is built on. COMPILED says
whether these run as mypyc's compiled build (see _native) or as the plain sources, and
STATE why.
"""

from __future__ import annotations

# first: importing _native loads mypyc's build of the modules below, if it matches them
from ._native import COMPILED, STATE

# isort: split
from .detector import analyse_span, detect_claims, detect_headline
from .model import SIGNAL_KINDS, SOURCE_KINDS, DetectedAttribution, DetectedClaim, Signal
from .segment import split_sentences

__all__ = [
    "COMPILED",
    "SIGNAL_KINDS",
    "SOURCE_KINDS",
    "STATE",
    "DetectedAttribution",
    "DetectedClaim",
    "Signal",
    "analyse_span",
    "detect_claims",
    "detect_headline",
    "split_sentences",
]
