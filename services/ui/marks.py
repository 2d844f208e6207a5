"""A story's text cut at its marks (claims, attributions, contest cues, blocking claims),
for the consoles to show with highlights.

Marks may overlap (a contest cue inside an attribution inside a claim): the text is cut at
every mark's edge, and each piece knows every mark it lies in, so a template nests its
tags per piece and the HTML stays well formed. Pure: no I/O, no service.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    kind: str  # what the template styles: claim, other, attr, cue, block...
    label: str = ""  # what it says on hover
    anchor: str = ""  # an id for the mark's first piece, to link to


@dataclass
class Piece:
    text: str
    labels: dict[str, list[str]] = field(default_factory=dict)  # kind -> labels
    anchors: list[str] = field(default_factory=list)  # marks that start here

    def has(self, kind: str) -> bool:
        return kind in self.labels

    def says(self, kind: str) -> str:
        return "; ".join(label for label in self.labels.get(kind, []) if label)


Paragraph = list[Piece]


def cut(body: str, marks: list[Mark]) -> list[Paragraph]:
    """The body as paragraphs of pieces, each piece inside the same set of marks. Marks
    outside the body are left out."""
    size = len(body)
    marks = [m for m in marks if 0 <= m.start < m.end <= size]
    spans: list[tuple[int, int]] = []
    at = 0
    for brk in _PARAGRAPH_BREAK.finditer(body):
        spans.append((at, brk.start()))
        at = brk.end()
    spans.append((at, size))
    out: list[Paragraph] = []
    anchored: set[str] = set()
    for start, end in spans:
        if start >= end:
            continue
        cuts = {start, end}
        for mark in marks:
            for edge in (mark.start, mark.end):
                if start < edge < end:
                    cuts.add(edge)
        paragraph: Paragraph = []
        for a, b in itertools.pairwise(sorted(cuts)):
            piece = Piece(text=body[a:b])
            for mark in marks:
                if mark.start < b and mark.end > a:
                    piece.labels.setdefault(mark.kind, []).append(mark.label)
                    if mark.anchor and mark.anchor not in anchored:
                        anchored.add(mark.anchor)
                        piece.anchors.append(mark.anchor)
            paragraph.append(piece)
        out.append(paragraph)
    return out
