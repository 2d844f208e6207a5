"""Consumes in group "verify", writes the report id it got to $TEST_MARKER, then hangs in
the handler (so it never commits) until the test SIGKILLs it."""

from __future__ import annotations

import os
import time
from pathlib import Path

from services.bus import ConsumerLoop, Received
from services.contracts import CloudEvent, ReportSubmitted, Topic
from services.runtime import Runtime
from services.settings import Settings


def main() -> None:
    settings = Settings.model_validate_json(os.environ["TEST_SETTINGS"])
    marker = Path(os.environ["TEST_MARKER"])
    runtime = Runtime(settings, "verify")

    def handle(event: CloudEvent, _: Received) -> None:
        payload = event.payload()
        assert isinstance(payload, ReportSubmitted)
        marker.write_text(payload.report_id)
        while True:
            time.sleep(1)

    ConsumerLoop(
        settings=settings, topics=[Topic.REPORTS_SUBMITTED], group="verify", handler=handle,
        producer=runtime.producer, admin=runtime.admin,
    ).run()  # fmt: skip


if __name__ == "__main__":
    main()
