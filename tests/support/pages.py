"""Walking a cursor-paged listing to its end, as a client would."""

from __future__ import annotations

from typing import Any

import httpx


def every_item(
    client: httpx.Client, path: str, limit: int = 200, **query: Any
) -> list[dict[str, Any]]:
    """Every item of the listing at ``path`` (with ``query``, e.g. a section), page by
    page (``next_cursor`` until null)."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {**query, "limit": limit}
    for _ in range(10_000):  # a cursor that never ends is a bug, not a long listing
        page = client.get(path, params=params)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items
        params = {**query, "limit": limit, "cursor": cursor}
    raise AssertionError(f"{path}: the cursor never ended")
