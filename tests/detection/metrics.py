"""Figures for claim detection against a labelled story (panjshir.claims.json format).

A labelled claim is found when its 'contains' fragment lies inside a detected claim's
span. Sources match case-insensitively when one contains the other, leading articles
ignored ("the Taliban" / "Taliban").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from verify.detection import DetectedAttribution, DetectedClaim, detect_claims, detect_headline

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
    hedge_labels: int = 0  # labels that say whether the claim is hedged (blind4 on)
    labelled_hedged: int = 0
    hedge_hits: int = 0  # labelled hedged, matched claim uncertain
    false_hedged: int = 0  # labelled not hedged, matched claim uncertain
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


def attributes(label: str, a: DetectedAttribution) -> bool:
    """The detected attribution gives the labelled source: as its source, or as the role
    in apposition to it (one attribution, "the firm's lawyer, X", as DESIGN has it)."""
    return source_matches(label, a.source) or (bool(a.role) and source_matches(label, a.role))


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
        # DESIGN: a claim the text only hedges is contested, so a label that says hedged
        # counts as contested whatever its `contested` says (the fixture READMEs' rule).
        contested = bool(label["contested"]) or bool(label.get("hedged", False))
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
        if "hedged" in label:
            hedged = bool(label["hedged"])
            fig.hedge_labels += 1
            fig.labelled_hedged += hedged
            fig.hedge_hits += hedged and c.uncertain
            fig.false_hedged += not hedged and c.uncertain
        for a in c.detected_attributions:
            fig.detected_sources += 1
            fig.detected_sources_labelled += any(attributes(s, a) for s in sources)
        for s in sources:
            if any(attributes(s, a) for a in c.detected_attributions):
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


@dataclass(frozen=True)
class Flags:
    """A set of single lines, each labelled as one that should be flagged or not."""

    labelled: int
    positives: int
    hits: int  # positives flagged
    false: int  # negatives flagged
    misses: tuple[str, ...]  # positives not flagged, then negatives flagged

    @property
    def recall(self) -> float:
        return self.hits / self.positives if self.positives else 1.0

    @property
    def precision(self) -> float:
        return self.hits / (self.hits + self.false) if self.hits + self.false else 1.0


def labelled_lines(path: Path) -> list[tuple[str, str]]:
    """(label, text) of a tab-separated set; '#' lines are its notes."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 1)
            rows.append((label, text))
    return rows


def _flags(rows: list[tuple[bool, str, bool]]) -> Flags:
    misses = [f"not flagged: {t!r}" for pos, t, got in rows if pos and not got]
    misses += [f"flagged: {t!r}" for pos, t, got in rows if got and not pos]
    return Flags(
        labelled=len(rows),
        positives=sum(pos for pos, _, _ in rows),
        hits=sum(pos and got for pos, _, got in rows),
        false=sum(got and not pos for pos, _, got in rows),
        misses=tuple(misses),
    )


HEDGE_SET = REPO / "tests" / "fixtures" / "hedges" / "sentences.tsv"
HEADLINE_SET = REPO / "tests" / "fixtures" / "headlines" / "headlines.tsv"


def hedge_flags(path: Path = HEDGE_SET) -> Flags:
    """Sentences labelled uncertain or certain: flagged when detection gives the sentence
    as a claim that is uncertain (hedged, conditional, or contested by a hedge)."""
    rows = []
    for label, text in labelled_lines(path):
        got = any(c.uncertain for c in detect_claims(text))
        rows.append((label == "uncertain", text, got))
    return _flags(rows)


def reports(c: DetectedClaim | None) -> bool:
    """A headline read as only reporting a claim: a source, a contest signal or a hedge."""
    return c is not None and (bool(c.detected_attributions) or c.contested or c.uncertain)


def headline_flags(path: Path = HEADLINE_SET) -> Flags:
    """Headlines labelled 'reports' (only reports a claim) or 'asserts', read by
    detect_headline as written (no full stop)."""
    rows = [
        (label == "reports", text, reports(detect_headline(text)))
        for label, text in labelled_lines(path)
    ]
    return _flags(rows)
