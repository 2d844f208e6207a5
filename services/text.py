"""Plain-text fields: markup is refused at the door, in every service, the same way.

Readers see these fields (headlines, sources, quotes, notes, reasons); feeds sanitise on
the way out as well, but a field that holds markup is a mistake or an attack, and the
sender should hear so (422) rather than see it silently changed.
"""

from __future__ import annotations

from typing import Annotated

import nh3
from pydantic import AfterValidator


def no_markup(value: str) -> str:
    if nh3.is_html(value):
        raise ValueError("markup is not allowed here; send plain text")
    return value


PlainText = Annotated[str, AfterValidator(no_markup)]
