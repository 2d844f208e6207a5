"""Run by test_store_outage.py in its own process (mongoengine's aliases are per process):
a verify transaction against a store that has stopped, timed."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from services.settings import Settings
from services.store import client, connect_store
from tests.support.infra import Infra
from verify.stories.unit_of_work import transaction

infra = Infra(Path(os.environ["TEST_ROOT"]))
infra.start_store()
settings = Settings(
    _env_file=None, mongo_url=infra.mongo_url, db_prefix="outage", store_timeout_ms=1000
)
connect_store(settings, "verify")
stories = client("verify").get_database(settings.database("verify")).stories
first = transaction(lambda s: stories.insert_one({"story_id": "s_1"}, session=s).acknowledged)
infra.stop_store()
started = time.monotonic()
try:
    transaction(lambda s: stories.insert_one({"story_id": "s_2"}, session=s))
    error = None
except Exception as exc:
    error = type(exc).__name__
json.dump({"first": first, "error": error, "seconds": time.monotonic() - started}, sys.stdout)
