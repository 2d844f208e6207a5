"""Small pieces every verify domain shares: the actor of a change, claim-text folding.

Pure: no FastAPI, Kafka or mongoengine here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# The one utcnow (milliseconds, a clock passed in), re-exported for verify's modules.
from services.clock import utcnow as utcnow
from services.text import same_reading

# Told after every committed change of a story, so its snapshot goes out promptly.
StoryChanged = Callable[[str], None]


@dataclass(frozen=True)
class Actor:
    """Who made a change: a user (from the bearer token) or, for a report, its reporter."""

    user_id: str
    name: str
    role: str

    def as_dict(self) -> dict[str, str]:
        return {"user_id": self.user_id, "name": self.name, "role": self.role}


# --- text --------------------------------------------------------------------------------

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
_SPACE = re.compile(r"\s+")
_EDGE_PUNCT = " \t\n.,;:!?\"'()[]"


def normalise(text: str) -> str:
    """The form two claim texts are compared in: case, quotes, dashes and spacing ignored."""
    folded = same_reading(text).translate(_QUOTES).casefold()
    return _SPACE.sub(" ", folded).strip(_EDGE_PUNCT)
