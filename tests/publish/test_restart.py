"""Deliveries are rows in publish's database: a delivery waiting for its retry when
publish is killed (SIGKILL) is sent by the restarted process. The test kills a publish
process of its own (``own_solo``), so it may run in any order."""

from __future__ import annotations

import uuid

from tests.publish.builders import cleared_story
from tests.publish.conftest import Solo
from tests.publish.servers import signature_ok
from tests.publish.test_webhooks import deliveries, release, subscribe
from tests.support.servers import wait_for


def test_a_pending_delivery_survives_a_killed_publish(own_solo: Solo) -> None:
    solo = own_solo
    section, path = solo.section(), f"/later-{uuid.uuid4().hex[:6]}"
    # The first answer asks to come back in 4 s (Retry-After is honoured).
    solo.receiver.plans[path] = [(503, {"Retry-After": "4"})]
    subscription_id, secret = subscribe(solo, path, sections=[section])
    release(solo, cleared_story(section=section))
    wait_for(lambda: solo.receiver.at(path), 60, what="the first attempt")
    pending = wait_for(
        lambda: [d for d in deliveries(solo, subscription_id) if d["attempts"] == 1], 60
    )
    assert pending[0]["status"] == "pending"

    solo.process.kill()
    assert len(solo.receiver.at(path)) == 1
    solo.process.start()

    got = wait_for(lambda: len(solo.receiver.at(path)) >= 2 and solo.receiver.at(path), 60)
    assert got[0].headers["newsroom-delivery"] == got[1].headers["newsroom-delivery"]
    assert signature_ok(secret, got[1])
    done = wait_for(
        lambda: [d for d in deliveries(solo, subscription_id) if d["status"] == "delivered"], 60
    )[0]
    assert [a["status_code"] for a in done["log"]] == [503, 200]
