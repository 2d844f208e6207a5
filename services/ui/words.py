"""What the consoles say to a person, apart from the templates: role names with their
article, and the sign-in form's sentences for the authenticator's (written for API
clients)."""

from __future__ import annotations

from services.auth import Role

ROLE_NAMES = {
    Role.REPORTER: "reporter",
    Role.REVIEWER: "reviewer",
    Role.EDITOR: "editor",
    Role.ADMIN: "admin",
    Role.SERVICE: "service account",
}


def article(noun: str) -> str:
    """``noun`` with its indefinite article: "an admin", "a reviewer"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


# The authenticator's sentences are written for API clients; a person at a form reads these.
_SIGN_IN_WORDS = {
    "The bearer token is malformed.": (
        "That is not a Newsroom token. Paste the whole token: it starts with nr_."
    ),
    "The bearer token is not valid.": (
        "This token is not known here. Check that you pasted all of it, or ask an admin "
        "for a new one."
    ),
    "The bearer token has been revoked.": (
        "This token has been revoked. Ask an admin for a new one."
    ),
    "The user of this token has been revoked.": (
        "This user no longer has access. Ask an admin if that is a mistake."
    ),
}


def sign_in_words(detail: str) -> str:
    """By the authenticator's first words: what follows them (what an API client does
    about it) is said to a person here in the form's own words."""
    for said, words in _SIGN_IN_WORDS.items():
        if detail.startswith(said.rstrip(".")):
            return words
    return "That token did not work. Ask an admin for a new one."
