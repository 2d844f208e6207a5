"""What a word's capitals say before the rules read its lower case.

The rules look words up by their lower case, so two things news English writes with
capitals misled them. A sentence in capitals throughout ("POLICE SAID 12 PEOPLE WERE
ARRESTED") read as a run of names with no verb: it is read case-folded, as the same
sentence in sentence case. And a name or acronym that is also a common word ("the WHO",
"the US", "Theresa May", "April Ryan") read as that word (a relative, a pronoun, a modal,
a month): in a name position it keeps its capitals in ``lower``, so no word list takes it.
"""

from __future__ import annotations

from itertools import compress, count

from . import lexicon as lx
from .segment import IS_CAP, Token

# Common words written as acronyms: "the WHO", "the US", "IT staff".
_COMMON = lx.STOPWORDS | lx.AUXILIARIES | frozenset(lx.PRONOUNS) | lx.FIRST_PERSON
# Months and modals that are also names: "Theresa May", "April Ryan", "Will told".
_GIVEN = lx.MONTHS | lx.AUXILIARIES
_NOT_NAMES = _COMMON | _GIVEN | lx.TIME_WORDS | lx.DETERMINERS
_SPEECH = lx.word_set("said says told tells")
# A month's short form is a given name before a surname wherever it stands ("said Jan
# Novak", "according to Jun Ishikawa"): copy writes a month short only before a day or a
# year ("Jan 5", "Jan 2024"), never before a name. Full forms keep the narrower rule
# below: "in April Congress voted" is a month.
_SHORT_MONTHS = lx.word_set("jan feb mar apr jun jul aug sep sept oct nov dec")
# Particles between a given name and a surname: "Jan de Vries", "Jan van der Berg".
_PARTICLES = lx.word_set("de da di du del della der den van von ter ten la le dos das")


def _shouted(tokens: list[Token]) -> bool:
    """Three or more words of two letters or more, none with a lower-case letter."""
    words = [t.text for t in tokens if t.is_word and len(t.text) > 1 and t.text[0].isalpha()]
    return len(words) >= 3 and all(w.isupper() for w in words)


def _name_word(t: Token) -> bool:
    """A capitalised word that can only be part of a name ("Theresa", "Ryan")."""
    return t.is_cap and t.is_word and t.text.isalpha() and t.lower not in _NOT_NAMES


def _surname_after(tokens: list[Token], k: int) -> bool:
    """A surname begins at k: a name word, or particles before one ("de Vries")."""
    while k < len(tokens) and tokens[k].lower in _PARTICLES and not tokens[k].is_cap:
        k += 1
    return k < len(tokens) and _name_word(tokens[k])


def _named(tokens: list[Token], k: int) -> bool:
    """Is the capitalised common word at k in a name position?"""
    t = tokens[k]
    if len(t.text) > 1 and t.text.isupper() and t.text.isalpha():
        return t.lower in _COMMON  # an acronym: "the WHO said", "according to the US"
    if t.lower not in _GIVEN:
        return False
    if k > 0 and _name_word(tokens[k - 1]):
        return True  # a surname after a given name: "Theresa May"
    if t.lower in _SHORT_MONTHS and _surname_after(tokens, k + 1):
        return True  # "said Jan Novak", "Jan de Vries"
    opens = k == 0 or not tokens[k - 1].is_word or tokens[k - 1].lower not in lx.STOPWORDS
    if opens and k + 1 < len(tokens) and _name_word(tokens[k + 1]):
        return True  # a given name before a surname: "April Ryan", not "in April Congress"
    # a given name alone before its verb: "May said", not the modal ("May I ...")
    return opens and k + 1 < len(tokens) and tokens[k + 1].lower in _SPEECH


def read_case(tokens: list[Token]) -> list[Token]:
    """The sentence's tokens as the rules should read them (see the module's docstring)."""
    if _shouted(tokens):
        # sentence case: only the first word keeps its capital
        return [t._replace(is_cap=k == 0 and t.is_cap) for k, t in enumerate(tokens)]
    for k in compress(count(), map(IS_CAP, tokens)):  # most words are not capitalised
        t = tokens[k]
        if t.lower in _NOT_NAMES and _named(tokens, k):
            tokens[k] = t._replace(lower=t.text)
    return tokens
