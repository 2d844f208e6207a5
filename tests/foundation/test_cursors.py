"""The keyset cursor every (time, id) list pages with: what it gives out it takes back,
and anything else is a 400 naming the cursor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.cursors import decode_keyset, encode_cursor, encode_keyset
from services.errors import BadRequest


def test_a_keyset_cursor_gives_back_its_time_and_id() -> None:
    at = datetime(2026, 12, 3, 7, 30, 1, 123000, tzinfo=UTC)
    cursor = encode_keyset(at, "c_1", ("q", "c"))
    assert decode_keyset(cursor, ("q", "c")) == (at, "c_1")


def test_a_keyset_cursor_of_other_names_is_refused() -> None:
    cursor = encode_keyset(datetime(2026, 12, 3, tzinfo=UTC), "s_1", ("u", "s"))
    with pytest.raises(BadRequest) as refused:
        decode_keyset(cursor, ("q", "c"))
    assert "cursor" in refused.value.detail


def test_a_keyset_cursor_whose_time_does_not_parse_is_refused() -> None:
    with pytest.raises(BadRequest) as refused:
        decode_keyset(encode_cursor({"at": "yesterday", "id": "r_1"}))
    assert "cursor" in refused.value.detail
