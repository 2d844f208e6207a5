"""Ingest writes a report as a plain dict (building a mongoengine document cost more CPU
than the rest of the request): that dict is what the ``Report`` document would store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest.reports import repository as repo
from services import outbox


@pytest.mark.parametrize(
    ("trace_id", "language"), [(None, None), ("4bf92f3577b34da6a3ce929d0e0e4736", "pt-BR")]
)
def test_a_new_report_is_stored_as_the_report_document_would_store_it(
    trace_id: str | None, language: str | None
) -> None:
    now = datetime(2026, 12, 3, 7, 30, 1, 123000, tzinfo=UTC)
    record = repo.ReportRecord(
        report_id="r_" + "a" * 32, story_id="s_" + "b" * 32, revision=2, reporter_id="u_1",
        byline="A. Reporter", request_hash="c" * 64, headline="Council approves budget",
        body="The council approved the budget on Monday.", section="local",
        claims=[{"text": "The council approved the budget", "contested": False, "sources": []}],
        publish_when_cleared=True, trace_id=trace_id, accepted_at=now,
        timeline={"accepted": now}, language=language,
    )  # fmt: skip
    expected = repo.Report(
        report_id=record.report_id, story_id=record.story_id, revision=record.revision,
        reporter_id=record.reporter_id, byline=record.byline, idempotency_key="key-1",
        request_hash=record.request_hash, headline=record.headline, body=record.body,
        section=record.section, claims=record.claims,
        publish_when_cleared=record.publish_when_cleared, trace_id=record.trace_id,
        accepted_at=now, timeline={"accepted": now}, outbox=outbox.new_row(now),
        language=record.language,
    )  # fmt: skip
    expected.validate()
    assert repo.document(record, "key-1") == expected.to_mongo().to_dict()
