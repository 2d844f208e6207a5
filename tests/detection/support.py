"""What the detection tests share."""

from __future__ import annotations

from verify.detection import DetectedClaim, detect_claims


def claim_holding(body: str, fragment: str) -> DetectedClaim:
    """The claim detection found in ``body`` that holds ``fragment``'s first character."""
    at = body.index(fragment)
    for c in detect_claims(body):
        if c.start <= at < c.end:
            return c
    raise AssertionError(f"no claim holds {fragment!r}")


def assert_both_contested(first: str, second: str, contested: bool) -> None:
    """Two sentences, one after the other: each claim is contested, or neither is."""
    body = f"{first} {second}\n"
    assert claim_holding(body, first).contested is contested, detect_claims(body)
    assert claim_holding(body, second).contested is contested, detect_claims(body)


def body_claims(body: str) -> list[DetectedClaim]:
    """The claims detected in a body, the headline's left out."""
    return [c for c in detect_claims(body) if not c.headline]


def signal_kinds(claim: DetectedClaim) -> set[str]:
    """The kinds of a claim's contest signals."""
    return {s.kind for s in claim.contest_signals}
