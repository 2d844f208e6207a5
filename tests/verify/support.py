"""Helpers of the verify tests: reports produced on the real broker, verify read over HTTP."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from services.bus import EventProducer
from services.contracts import DeclaredClaim, ReportSubmitted, Topic
from tests.support.kafka import read_topic
from tests.support.servers import wait_for
from tests.support.stack import Stack

BODY = (
    "The city council approved a budget of 4.2 million euros on Monday, the mayor said. "
    "Opposition members claimed the figures were inflated, a charge the mayor denied.\n\n"
    "The vote was 21 to 9."
)


@dataclass
class Newsroom:
    """Submits reports as ingest would, and reads what verify made of them."""

    stack: Stack
    producer: EventProducer

    @property
    def settings(self) -> Any:
        return self.stack.settings

    def report(
        self, story_id: str | None = None, revision: int = 1, **fields: Any
    ) -> ReportSubmitted:
        values: dict[str, Any] = {
            "report_id": f"r_{uuid.uuid4().hex[:12]}",
            "story_id": story_id or f"s_{uuid.uuid4().hex[:12]}",
            "revision": revision,
            "reporter_id": "u_reporter",
            "byline": "A. Reporter",
            "headline": "Council approves budget",
            "body": BODY,
            "section": "local",
            "claims": [DeclaredClaim(text="The vote was 21 to 9.")],
            "accepted_at": datetime.now(UTC),
        }
        values.update(fields)
        return ReportSubmitted(**values)

    def submit(self, report: ReportSubmitted) -> ReportSubmitted:
        self.producer.send(
            self.producer.message(Topic.REPORTS_SUBMITTED, report, key=report.story_id)
        )
        return report

    def story(self, story_id: str, role: str = "reviewer") -> httpx.Response:
        with self.stack.client("verify", role) as client:
            return client.get(f"/v1/stories/{story_id}")

    def wait_story(self, story_id: str, until: Any = None, timeout: float = 30.0) -> dict[str, Any]:
        """The story's snapshot once it exists (and ``until(snapshot)`` holds)."""

        def check() -> dict[str, Any] | None:
            response = self.story(story_id)
            if response.status_code != 200:
                return None
            body: dict[str, Any] = response.json()
            return body if until is None or until(body) else None

        found: dict[str, Any] = wait_for(check, timeout, what=f"story {story_id}")
        return found

    def receipts(self, report: ReportSubmitted, count: int = 1) -> list[dict[str, Any]]:
        """The receipts (event data) verify sent for ``report``, once there are ``count``."""
        topic = self.settings.topic(Topic.REPORTS_RECEIVED)
        story_key, report_id = report.story_id.encode(), report.report_id

        def mine(records: list[Any]) -> list[dict[str, Any]]:
            out = []
            for record in records:
                if record.key != story_key:
                    continue  # other tests put other (even poison) records on this topic
                data = json.loads(record.value)["data"]
                if data["report_id"] == report_id:
                    out.append(data)
            return out

        records = read_topic(self.settings.kafka_bootstrap, topic, lambda r: len(mine(r)) >= count)
        return mine(records)

    def claim_with(self, snapshot: dict[str, Any], text: str) -> dict[str, Any]:
        claim: dict[str, Any] = next(c for c in snapshot["claims"] if text in c["text"])
        return claim

    def reviewer(self, role: str = "reviewer") -> httpx.Client:
        return self.stack.client("verify", role)

    def as_user(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.stack.url("verify"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )


def review(
    client: httpx.Client,
    claim: dict[str, Any],
    status: str,
    version: int | None = None,
    **more: Any,
) -> httpx.Response:
    return client.post(
        f"/v1/claims/{claim['claim_id']}/review",
        json={"status": status, **more},
        headers={"If-Match": f'"{claim["version"] if version is None else version}"'},
    )


def whole_queue(client: httpx.Client) -> list[dict[str, Any]]:
    """Every item of the reviewers' queue, page after page: the session stack is shared,
    so other tests' claims can fill the first page ahead of this test's."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 200}
    while True:
        page = client.get("/v1/queue", params=params).json()
        items += page["items"]
        if not page["next_cursor"]:
            return items
        params["cursor"] = page["next_cursor"]
