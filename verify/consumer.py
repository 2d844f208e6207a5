"""Edge: ``reports.submitted`` (group "verify") into revisions, each answered with a receipt.

The receipt goes to ``reports.received`` before the offset is committed, also for a
report seen before (``duplicate``), because ingest re-sends until it sees one. A receipt
the broker does not take is retried; the report is then a duplicate, and changes nothing.
"""

from __future__ import annotations

from services.bus import EventProducer, Received, SendFailed
from services.contracts import CloudEvent, ReportSubmitted, Topic
from services.errors import InvalidMessage, RetryableError
from verify.common import StoryChanged, utcnow
from verify.stories import service


class ReportHandler:
    def __init__(
        self, producer: EventProducer, story_changed: StoryChanged, max_claims: int = 1000
    ) -> None:
        self._producer = producer
        self._story_changed = story_changed
        self._max_claims = max_claims

    def __call__(self, event: CloudEvent, received: Received) -> None:
        report = event.payload()
        if not isinstance(report, ReportSubmitted):
            raise InvalidMessage("unexpected_type", f"{event.type} on {received.topic}")
        receipt = service.receive_report(report, utcnow(), self._max_claims)
        if not receipt.duplicate:
            self._story_changed(report.story_id)
        message = self._producer.message(Topic.REPORTS_RECEIVED, receipt, key=report.story_id)
        try:
            self._producer.send(message)
        except SendFailed as exc:
            raise RetryableError("the receipt was not acknowledged") from exc
