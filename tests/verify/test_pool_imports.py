"""Verify's detection pool holds only detection: its workers import no part of the
service (pydantic, settings, contracts, the store or Kafka drivers). Importing it made
each worker hold 45 MB instead of 23 MB (resident, after 60 stories), and verify's peak
with its pool was 302 MB against a target of 300."""

from __future__ import annotations

from typing import Any, cast

from services.contracts import DeclaredClaim, ReportSubmitted
from tests.verify import pool_probe
from tests.verify.support import Newsroom
from verify.consumer import ReportStrategy
from verify.stories.analysis import Analysis

SERVICE = ("services", "pydantic", "pydantic_settings", "pymongo", "mongoengine", "kafka")


def test_the_detection_pool_imports_detection_alone(newsroom: Newsroom) -> None:
    report: ReportSubmitted = newsroom.report(
        claims=[DeclaredClaim(text="The vote was 21 to 9.", contested=True, sources=["clerk"])]
    )
    strategy = ReportStrategy(
        cast(Any, None), cast(Any, None), lambda: None, processes=1, max_claims=100
    )
    try:
        analysed = strategy._submit(report).result(timeout=300)
        assert isinstance(analysed, Analysis)
        declared = [c for c in analysed.candidates if c.origin == "declared"]
        assert [(c.found.text, c.found.contested, c.declared_sources) for c in declared] == [
            ("The vote was 21 to 9.", True, ("clerk",))
        ]
        # The same (one) worker that analysed the report: what it imported for that.
        modules = strategy._executor().submit(pool_probe.loaded).result(timeout=300)
    finally:
        strategy.close()
    assert "verify.detection" in modules
    service = [m for m in modules if m.split(".")[0] in SERVICE]
    assert service == []
