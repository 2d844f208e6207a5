"""The rules must capture news English, not the labelled stories: no sentence and no
name or outlet from any fixture story may appear in verify/detection's source."""

from __future__ import annotations

import re
from pathlib import Path

from verify.detection import lexicon as lx

from .metrics import REPO, stories

SOURCE = "\n".join(
    p.read_text(encoding="utf-8") for p in sorted((REPO / "verify" / "detection").glob("*.py"))
)
SOURCE_LOWER = " ".join(SOURCE.lower().split())

# Capitalised words that are not names: titles, calendar words and generic words for an
# institution or a post ("Institute", "CEO"). Other capitalised
# words count as names unless the fixtures also use them in lower case ("Control" in
# "Disease Control" is also "infection control"); headlines are left out (title case).
GENERIC = frozenset(
    str.split(
        """
    Dr Mr Mrs Ms Gen Lt Col Sgt Capt Prof Monday Tuesday Wednesday Thursday Friday Saturday
    Sunday January February March April May June July August September October November
    Institute Justice CEO
    December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    """
    )
)
_WORD = re.compile(r"[A-Za-z][\w'’.-]*")
_SENTENCE_END = re.compile(r"(?<=[.!?\"”])\s+")


def _body_lines(text: str) -> list[str]:
    """Lines that are sentences, not headlines or captions."""
    return [ln.strip() for ln in text.splitlines() if ln.strip().endswith((".", '"', "”"))]


def _names(text: str, lower_words: set[str]) -> set[str]:
    names: set[str] = set()
    for line in _body_lines(text):
        for sentence in _SENTENCE_END.split(line):
            words = [
                w.rstrip(".").removesuffix("'s").removesuffix("’s") for w in _WORD.findall(sentence)
            ]
            run: list[str] = []
            for k, w in enumerate([*words, "end"]):
                if w[:1].isupper() and w != "end" and k > 0:
                    run.append(w)
                    if w not in GENERIC and w.lower() not in lower_words and len(w) > 2:
                        names.add(w)
                    continue
                if len(run) >= 2:
                    names.add(" ".join(run))
                run = []
    return names


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        out += [s.strip() for s in _SENTENCE_END.split(line) if len(s.split()) >= 6]
    return out


def _fixture_texts() -> list[tuple[str, str]]:
    # the held-out sets too: a name from one of them in the rules would mean it leaked
    held_out = sorted((REPO / "tests" / "fixtures").glob("blind*/*.txt"))
    return [(name, text.read_text(encoding="utf-8")) for name, text, _ in stories()] + [
        (text.stem, text.read_text(encoding="utf-8")) for text in held_out
    ]


def _lower_words() -> set[str]:
    return {
        w.strip(".'’") for _, text in _fixture_texts() for w in _WORD.findall(text) if w.islower()
    }


def name_leaks(fixtures: list[tuple[str, str]]) -> list[str]:
    """Names and outlets of ``fixtures`` (name, text) that appear in the rules."""
    leaks: list[str] = []
    lower = _lower_words()
    for name, text in fixtures:
        for n in sorted(_names(text, lower)):
            # The plain substring test first: it is what the word-bounded search needs,
            # and it spares that search for the many names that are nowhere in the rules.
            if n in SOURCE and re.search(r"(?<![\w])" + re.escape(n) + r"(?![\w])", SOURCE):
                leaks.append(f"{name}: {n}")
    return leaks


def test_no_fixture_name_or_outlet_in_the_rules() -> None:
    assert name_leaks(_fixture_texts()) == []


# Stock phrases of news English the rules are meant to know ("did not respond to a
# request for comment"): a fixture that uses one has not leaked into the rules.
STOCK_PHRASES = tuple(" ".join(p.split()) for p in lx.NO_COMMENT_PHRASES)


def sentence_leaks(fixtures: list[tuple[str, str]]) -> list[str]:
    """Runs of seven words from a sentence of ``fixtures`` (name, text) in the rules."""
    leaks: list[str] = []
    for name, text in fixtures:
        for sentence in _sentences(text):
            words = " ".join(sentence.lower().split()).split()
            # any run of 7 words from a fixture sentence would be a copied sentence
            for k in range(len(words) - 6):
                window = " ".join(words[k : k + 7])
                if any(window in phrase for phrase in STOCK_PHRASES):
                    continue
                if window in SOURCE_LOWER:
                    leaks.append(f"{name}: {window!r}")
                    break
    return leaks


def test_no_fixture_sentence_in_the_rules() -> None:
    assert sentence_leaks(_fixture_texts()) == []


def test_the_check_sees_the_fixture_names() -> None:
    # guard against a check that finds nothing because it extracts nothing
    lower = _lower_words()
    names = set().union(*(_names(text, lower) for _, text in _fixture_texts()))
    assert {"Free Hills Brigade", "Tel Amar", "Veltrix"} <= names
    # the stories written to test generalisation are checked too
    assert {"Fair Vote Network", "Northern Defence Forces", "Halvard Chemicals"} <= names
    assert {"Calder City Police Department", "Brennick Pharma", "BlackFerry"} <= names
    assert len(names) > 100
    assert all(len(n) > 2 for n in names)
    assert Path(__file__).exists()
