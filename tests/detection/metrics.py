"""Figures for claim detection against a labelled story (panjshir.claims.json format).

A labelled claim is found when its 'contains' fragment lies inside a detected claim's
span. Sources match case-insensitively when one contains the other, leading articles
ignored ("the Taliban" / "Taliban").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from verify.detection import DetectedClaim, detect_claims

REPO = Path(__file__).resolve().parents[2]
OWN_STORIES = REPO / "tests" / "fixtures" / "stories"
HELD_OUT = frozenset({"heldout_transport", "heldout_labour_port", "heldout_disaster_mine"})


@dataclass
class Figures:
    name: str
    labelled: int = 0
    found: int = 0
    labelled_contested: int = 0
    contested_hits: int = 0  # labelled contested, matched claim contested
    false_contested: int = 0  # labelled not contested, matched claim contested
    flagged: int = 0  # all detected claims flagged contested
    flagged_on_labels: int = 0  # flagged ones that hold a labelled contested claim
    sources: int = 0
    sources_found: int = 0
    detected_sources: int = 0  # attributions detected on labelled claims
    detected_sources_labelled: int = 0  # of those, ones that are a labelled source
    misses: list[str] = field(default_factory=list)

    @property
    def claims_found(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0

    @property
    def contested_recall(self) -> float:
        return self.contested_hits / self.labelled_contested if self.labelled_contested else 1.0

    @property
    def contested_precision(self) -> float:
        flagged = self.contested_hits + self.false_contested
        return self.contested_hits / flagged if flagged else 1.0

    @property
    def strict_precision(self) -> float:
        return self.flagged_on_labels / self.flagged if self.flagged else 1.0

    @property
    def source_recall(self) -> float:
        return self.sources_found / self.sources if self.sources else 1.0

    @property
    def source_precision(self) -> float:
        if not self.detected_sources:
            return 1.0
        return self.detected_sources_labelled / self.detected_sources

    def line(self) -> str:
        return (
            f"{self.name:<22} claims found {self.claims_found:.2f} ({self.found}/{self.labelled})"
            f"  contested recall {self.contested_recall:.2f}"
            f"  precision {self.contested_precision:.2f}"
            f"  strict precision {self.strict_precision:.2f}"
            f" ({self.flagged_on_labels}/{self.flagged})"
            f"  source recall {self.source_recall:.2f} ({self.sources_found}/{self.sources})"
            f"  source precision {self.source_precision:.2f}"
            f" ({self.detected_sources_labelled}/{self.detected_sources})"
        )


def _norm(source: str) -> str:
    s = " ".join(source.lower().replace("’", "'").split())
    for article in ("the ", "a ", "an "):
        s = s.removeprefix(article)
    return s


def source_matches(label: str, detected: str) -> bool:
    a, b = _norm(label), _norm(detected)
    return bool(a) and bool(b) and (a in b or b in a)


def _match(claims: list[DetectedClaim], start: int, end: int) -> DetectedClaim | None:
    for c in claims:
        if c.start <= start and end <= c.end:
            return c
    return None


def stories() -> list[tuple[str, Path, Path]]:
    """(name, text, labels) of every labelled story the repository holds. The project's
    shared development story lives outside it: `make test-shared` measures that one."""
    return [
        (text.stem, text, text.with_suffix(".claims.json"))
        for text in sorted(OWN_STORIES.glob("*.txt"))
    ]


def evaluate(name: str, body: str, labels: list[dict[str, object]]) -> Figures:
    claims = detect_claims(body)
    fig = Figures(name)
    labelled_contested_claims: set[int] = set()
    for label in labels:
        fragment = str(label["contains"])
        contested = bool(label["contested"])
        sources = [str(s) for s in label["sources"]]  # type: ignore[attr-defined]
        at = body.find(fragment)
        assert at >= 0, f"{name}: fragment not in body: {fragment!r}"
        fig.labelled += 1
        fig.labelled_contested += contested
        fig.sources += len(sources)
        c = _match(claims, at, at + len(fragment))
        if c is None:
            fig.misses.append(f"not found: {fragment!r}")
            continue
        fig.found += 1
        if contested:
            labelled_contested_claims.add(c.start)
        if c.contested and contested:
            fig.contested_hits += 1
        elif c.contested:
            fig.false_contested += 1
            fig.misses.append(f"flagged but not contested: {fragment!r}")
        elif contested:
            fig.misses.append(f"contested but not flagged: {fragment!r}")
        for a in c.detected_attributions:
            fig.detected_sources += 1
            fig.detected_sources_labelled += any(source_matches(s, a.source) for s in sources)
        for s in sources:
            if any(source_matches(s, a.source) for a in c.detected_attributions):
                fig.sources_found += 1
            else:
                got = [a.source for a in c.detected_attributions]
                fig.misses.append(f"source {s!r} not among {got} for {fragment!r}")
    for c in claims:
        if c.contested:
            fig.flagged += 1
            fig.flagged_on_labels += c.start in labelled_contested_claims
    return fig


def evaluate_file(name: str, text: Path, labels: Path) -> Figures:
    data = json.loads(labels.read_text(encoding="utf-8"))
    return evaluate(name, text.read_text(encoding="utf-8"), data["claims"])
