"""Shortening and comparing text in scripts other than Latin (services/text.py): a cut
lands between grapheme clusters and leaves no direction mark or joiner dangling; two
spellings of one Arabic-script text that a reader takes for one compare as one."""

from __future__ import annotations

import unicodedata

import pytest

from publish.feeds.content import summary
from services.text import cluster_boundary, same_reading, shorten
from services.ui.console import shortened

# Dari with its vowel marks (fatha U+064E, kasra U+0650, shadda U+0651), a family emoji
# (ZWJ sequence), a flag (two regional indicators), a Devanagari conjunct with a virama
# and a vowel sign, an e with a combining acute that NFC cannot compose with a dot below.
CLUSTERS = [
    "\u0645\u064e\u062d\u064e\u0651\u0645\u064e\u062f",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U0001f1e6\U0001f1eb",
    "\u0915\u094d\u0937\u093f",
    "e\u0323\u0301",
]


def _clusters_of(text: str) -> set[int]:
    """Every offset inside one of CLUSTERS' clusters, as written in ``text``."""
    inside: set[int] = set()
    for piece in CLUSTERS:
        at = text.find(piece)
        while at >= 0:
            # the Dari word is several clusters: only inside a letter's marks is inside
            for k in range(at + 1, at + len(piece)):
                char = text[k]
                if piece is CLUSTERS[0] and unicodedata.category(char)[0] != "M":
                    continue
                if piece is CLUSTERS[3] and k == at + 2:
                    continue  # a cut after the virama splits the conjunct, not a cluster
                inside.add(k)
            at = text.find(piece, at + 1)
    return inside


@pytest.mark.parametrize("piece", CLUSTERS)
def test_a_cut_never_lands_inside_a_grapheme_cluster(piece: str) -> None:
    text = "Reports say " + piece + " and " + piece * 3 + " end"
    inside = _clusters_of(text)
    for limit in range(1, len(text) + 2):
        cut = cluster_boundary(text, limit)
        assert cut not in inside, (limit, cut)
        short = shorten(text, limit)
        assert len(short) <= max(limit, 1)
        kept = short.removesuffix("…")
        assert text.startswith(kept)
        assert len(kept) not in inside, (limit, short)


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u061c", "\u200c", "\u200d"])
def test_a_cut_leaves_no_direction_mark_or_joiner_dangling(mark: str) -> None:
    text = "Source: \u0627\u062d\u0645\u062f\u0632\u06cc" + mark + " said the dam had failed"
    for limit in range(2, len(text)):
        short = shorten(text, limit)
        assert not short.removesuffix("…").endswith(tuple(" " + mark)), (limit, short)


def test_a_summary_and_a_consoles_shortened_text_keep_clusters_whole() -> None:
    word = "\u0645\u064e\u062d\u064e\u0651\u0645\u064e\u062f"  # Muhammad, vowelled
    first = ("x" * 275) + word + " rest"  # a cut at 279 falls on the shadda
    cut = summary(f"<p>{first}</p>")
    assert cut.endswith("…")
    kept = cut[:-1]
    assert first.startswith(kept)
    assert unicodedata.category(first[len(kept)])[0] != "M"  # no letter without its marks
    long = word * 30  # no space to cut at: Jinja's truncate cut inside a letter here
    short = shortened(long, 60)
    assert short.endswith("...")
    assert long.startswith(short[:-3])
    assert unicodedata.category(long[len(short) - 3])[0] != "M"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # ZWNJ in a Persian word, and the same word typed without it
        ("\u0645\u06cc\u200c\u06af\u0648\u06cc\u062f", "\u0645\u06cc\u06af\u0648\u06cc\u062f"),
        # Arabic presentation forms (copied from a PDF), and the letters
        ("\ufedb\ufe8e\ufe91\ufede", "\u06a9\u0627\u0628\u0644"),
        # Arabic kaf and yeh, typed on an Arabic keyboard, and the Persian letters
        (
            "\u0643\u0627\u0628\u0644 \u0639\u0644\u064a",
            "\u06a9\u0627\u0628\u0644 \u0639\u0644\u06cc",
        ),
        # a tatweel stretching a word, and an RLM after a name
        ("\u06a9\u0640\u0627\u0628\u0644\u200f", "\u06a9\u0627\u0628\u0644"),
    ],
)
def test_spellings_a_reader_takes_for_one_compare_as_one(one: str, other: str) -> None:
    assert one != other
    assert same_reading(one) == same_reading(other)
