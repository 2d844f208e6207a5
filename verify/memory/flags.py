"""Sending claim memory's flags (``ClaimFlagged``) on ``stories.reviewed``, keyed by the
flagged story, through the shared outbox: each flag is a row, claimed per replica, sent
once the broker has it, set aside (never blocking the others) if it cannot be."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from services.bus import EventProducer
from services.contracts import ClaimFlagged, Topic
from services.log import get_logger
from services.outbox import OutboxWorker, Rendered, render_each
from services.runtime import Runtime
from services.settings import Settings
from verify.common import utcnow
from verify.memory import repository, service
from verify.stories.records import ClaimRecord

log = get_logger(__name__)

INTERVAL = 2.0


class FlagRows:
    name = "verify-memory-flags"
    legacy: Mapping[str, Any] | None = None
    projection: Mapping[str, Any] | None = None

    def __init__(self, producer: EventProducer) -> None:
        self.rows = repository.FLAG_ROWS
        self._producer = producer

    def render(self, docs: list[dict[str, Any]]) -> list[Rendered]:
        def one(doc: dict[str, Any]) -> Rendered:
            flag = ClaimFlagged.model_validate(doc["event"])
            message = self._producer.message(Topic.STORIES_REVIEWED, flag, key=flag.story_id)
            return Rendered(doc["_id"], message, doc=doc)

        return render_each(docs, one)

    def sent(self, sent: list[Rendered], token: str, now: datetime) -> None:
        self.rows.done([r.row_id for r in sent], token, now)


def flag_outbox(runtime: Runtime) -> OutboxWorker:
    return OutboxWorker(
        FlagRows(runtime.producer),
        runtime.producer,
        interval=INTERVAL,
        stuck_after=runtime.settings.readiness_stall_seconds,
    )


def review_hook(settings: Settings, flags: OutboxWorker) -> Callable[[ClaimRecord], None]:
    """What runs after a claim's review changed: claim memory stores its statement and,
    for a claim found false or stripped of its attribution, stores flags and wakes their
    outbox. The review is committed already: a failure here is logged, not answered."""
    base = settings.public_url_of("verify")

    def review_url(claim_id: str) -> str:
        return f"{base}/ui/claims/{claim_id}"

    def after(claim: ClaimRecord) -> None:
        try:
            if service.reviewed(claim, review_url, utcnow()):
                flags.wake()
        except Exception as exc:  # the review stands; see above
            log.warning("claim_memory_failed", claim_id=claim.claim_id, error=repr(exc)[:300])

    return after
