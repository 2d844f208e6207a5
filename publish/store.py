"""Helpers every publish repository shares: the alias, and records <-> raw documents.

Writes that must be atomic go through pymongo on ``Document._get_collection()`` with a
transaction session (mongoengine 0.29 has no sessions), so records are converted to and
from raw documents here rather than through mongoengine instances.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

ALIAS = "publish"

M = TypeVar("M", bound=BaseModel)


def to_doc(record: BaseModel, id_field: str) -> dict[str, Any]:
    """JSON-shaped document with ``id_field`` as ``_id``; top-level datetimes stay
    datetimes so they can be queried and sorted."""
    doc = record.model_dump(mode="json")
    for name in type(record).model_fields:
        value = getattr(record, name)
        if isinstance(value, datetime):
            doc[name] = value
    doc["_id"] = doc.pop(id_field)
    return doc


def from_doc(model: type[M], raw: Mapping[str, Any], id_field: str) -> M:
    data = dict(raw)
    data[id_field] = data.pop("_id")
    return model.model_validate(data)
