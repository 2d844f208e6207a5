"""Wrong sources by category: a detected source on a labelled claim that matches none of
its labelled sources, classed by the words around it (no sentence is printed unless
asked, so the held-out sets can be counted without being read).

`python -m bench.detection_sources` prints the table for every labelled set;
`python -m bench.detection_sources tuning --show` also prints the tuning set's cases.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter

from bench.detection import SETS, _set_files
from tests.detection.metrics import _match, attributes
from verify.detection import DetectedAttribution, DetectedClaim, detect_claims

_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "its", "their", "his", "her"})
_EVIDENCE = frozenset({"show", "shows", "showed", "shown", "found", "find", "finds"})
_REPLIES = frozenset({"rejected", "denied", "disputed", "dismissed", "insisted", "countered"})


def category(body: str, c: DetectedClaim, a: DetectedAttribution, labels: list[str]) -> str:
    """The kind of wrong source, from its place, cue and kind."""
    cue = a.cue.lower()
    if re.search(r"(^|\n)\s*By\s+$", body[max(0, a.start - 10) : a.start]):
        return "byline"
    if a.source.lower() in _PRONOUNS:
        return "pronoun given as a source"
    if not c.start <= a.start < c.end:
        return "resolved to a source in another sentence"
    if cue in {"told", "tell", "tells"} and a.start > a.cue_start:
        return "addressee of told"
    if cue.startswith("cit"):
        return "object of cite"
    if "remark" in cue or "remark" in a.source.lower():
        return "remarks"
    for b in c.detected_attributions:
        gap = body[min(a.end, b.end) : max(a.start, b.start)].strip()
        if b is not a and gap in {",", ""} and any(attributes(s, b) for s in labels):
            return "role half of an apposition"
    if not labels:
        return "claim labelled with no source"
    if cue in _EVIDENCE:
        return "subject of an evidence verb"
    if cue in _REPLIES:
        return "who replies"
    if a.source_kind in {"document", "media"}:
        return f"other {a.source_kind}"
    if a.start > a.cue_start:
        return "after its cue"
    return f"other subject ({a.source_kind})"


def wrong_sources(name: str) -> list[tuple[str, str, str, str, str]]:
    """(category, story, source, cue, claim) of every wrong source of a set."""
    rows = []
    for story, text, labels in _set_files(name):
        body = text.read_text(encoding="utf-8")
        claims = detect_claims(body)
        for label in json.loads(labels.read_text(encoding="utf-8"))["claims"]:
            at = body.find(label["contains"])
            c = _match(claims, at, at + len(label["contains"]))
            if c is None:
                continue
            sources = [str(s) for s in label["sources"]]
            for a in c.detected_attributions:
                if not any(attributes(s, a) for s in sources):
                    rows.append((category(body, c, a, sources), story, a.source, a.cue, c.text))
    return rows


def main(args: list[str]) -> None:
    names = [a for a in args if not a.startswith("--")] or list(SETS)
    for name in names:
        rows = wrong_sources(name)
        print(f"{name}: {len(rows)} wrong sources")
        for kind, n in Counter(r[0] for r in rows).most_common():
            print(f"  {kind:<45} {n}")
        if "--show" in args and name == "tuning":  # never print a held-out set's text
            for row in sorted(rows):
                print("   ", row)


if __name__ == "__main__":
    main(sys.argv[1:])
