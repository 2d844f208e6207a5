"""Webhook subscriptions and signed deliveries to a real receiver on 127.0.0.1: the
signature verifies, 5xx is retried with backoff, 4xx is not, retractions reach everyone."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from cloudevents.v1.http import from_http
from prometheus_client.parser import text_string_to_metric_families
from pymongo import MongoClient

from services.contracts import StoryReviewed, Topic
from tests.publish.builders import BODY, bump, cleared_story
from tests.publish.conftest import Solo
from tests.publish.servers import DRIP, HOLD, TRICKLE, Received, signature_ok
from tests.support.kafka import read_topic
from tests.support.pages import every_item
from tests.support.servers import wait_for


def subscribe(solo: Solo, path: str, **fields: Any) -> tuple[str, str]:
    with solo.client("editor") as editor:
        response = editor.post("/v1/subscriptions", json={"url": solo.receiver.url(path), **fields})
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["secret"]


def release(solo: Solo, snapshot: StoryReviewed) -> StoryReviewed:
    solo.reviewed(snapshot)
    solo.gate(snapshot.story_id, snapshot.version)
    with solo.client("editor") as editor:
        assert editor.post(f"/v1/stories/{snapshot.story_id}/publish").status_code == 200
    return snapshot


def deliveries(solo: Solo, subscription_id: str) -> list[dict[str, Any]]:
    with solo.client("admin") as admin:
        response = admin.get(f"/v1/subscriptions/{subscription_id}/deliveries")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_subscriptions_are_for_editors_and_admins_and_show_the_secret_once(solo: Solo) -> None:
    subscription_id, secret = subscribe(solo, "/api", events=["published"], sections=["world"])
    derived = hmac.new(b"solo-webhook-master-key", subscription_id.encode(), hashlib.sha256)
    assert secret == derived.hexdigest()
    with solo.client("admin") as admin:
        listed = admin.get("/v1/subscriptions").json()["items"]
        mine = next(s for s in listed if s["id"] == subscription_id)
        assert "secret" not in mine
        assert mine["events"] == ["published"]
        assert "secret" not in admin.get(f"/v1/subscriptions/{subscription_id}").json()
        bad = [
            {"url": "ftp://127.0.0.1/x"},
            {"url": "javascript:alert(1)//"},
            {"url": solo.receiver.url("/x"), "events": ["deleted"]},
            {"url": solo.receiver.url("/x"), "sections": ["no-such-section"]},
            {"url": solo.receiver.url("/x"), "secret": "mine"},
        ]
        for body in bad:
            assert admin.post("/v1/subscriptions", json=body).status_code == 422, body
        assert admin.delete(f"/v1/subscriptions/{subscription_id}").status_code == 204
        assert admin.get(f"/v1/subscriptions/{subscription_id}").status_code == 404
        assert admin.delete(f"/v1/subscriptions/{subscription_id}").status_code == 404
    for role in ("reporter", "reviewer"):
        with solo.client(role) as other:
            assert other.get("/v1/subscriptions").status_code == 403
            assert (
                other.post("/v1/subscriptions", json={"url": "http://x.test/"}).status_code == 403
            )
    with solo.client() as anonymous:
        assert anonymous.get("/v1/subscriptions").status_code == 401


def test_the_subscriptions_listing_walks_in_pages_to_the_end(solo: Solo) -> None:
    made = {subscribe(solo, f"/page-{uuid.uuid4().hex[:6]}")[0] for _ in range(3)}
    with solo.client("admin") as admin:
        first = admin.get("/v1/subscriptions", params={"limit": 2})
        assert first.status_code == 200, first.text
        assert len(first.json()["items"]) == 2
        assert first.json()["next_cursor"]
        paged = [s["id"] for s in every_item(admin, "/v1/subscriptions", limit=2)]
        whole = [s["id"] for s in every_item(admin, "/v1/subscriptions", limit=200)]
        bad = admin.get("/v1/subscriptions", params={"cursor": "not-a-cursor!"})
    # Oldest first, each once, none missed: the small pages add up to the one big page.
    assert len(paged) == len(set(paged))
    assert paged == whole
    assert made <= set(paged)
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"


def test_a_delivery_is_signed_and_the_receiver_can_verify_it(solo: Solo) -> None:
    section, path = solo.section(), f"/ok-{uuid.uuid4().hex[:6]}"
    subscription_id, secret = subscribe(solo, path, sections=[section])
    snapshot = release(solo, cleared_story(section=section))
    got: list[Received] = wait_for(lambda: solo.receiver.at(path), 15, what="a delivery")
    delivery = got[0]
    assert signature_ok(secret, delivery)
    assert delivery.headers["newsroom-event"] == "published"
    # A CloudEvent in the HTTP binding's structured mode, as the CloudEvents SDK reads it.
    assert delivery.headers["content-type"] == "application/cloudevents+json; charset=utf-8"
    event = from_http(delivery.headers, delivery.body)
    assert event["specversion"] == "1.0"
    assert event["type"] == "org.newsroom.story.published"
    assert event["id"] == delivery.headers["newsroom-delivery"]
    assert event["subject"] == snapshot.story_id
    assert event["source"] == solo.public_url
    assert event["datacontenttype"] == "application/json"
    body = event.data
    assert body["story_id"] == snapshot.story_id
    assert body["action"] == "published"
    assert body["url"] == f"{solo.public_url}/stories/{snapshot.story_id}"
    assert body["item"]["id"] == f"urn:newsroom:story:{snapshot.story_id}"
    stamp = int(
        dict(p.split("=", 1) for p in delivery.headers["newsroom-signature"].split(","))["t"]
    )
    assert abs(time.time() - stamp) < 60
    forged = Received(
        delivery.path, delivery.headers, delivery.body.replace(b"published", b"retracted")
    )
    assert not signature_ok(secret, forged)
    assert not signature_ok("another-secret", delivery)
    recorded = wait_for(
        lambda: [d for d in deliveries(solo, subscription_id) if d["status"] == "delivered"], 10
    )
    assert recorded[0]["attempts"] == 1
    assert recorded[0]["log"][0]["status_code"] == 200


def test_a_failing_receiver_gets_retries_until_it_answers(solo: Solo) -> None:
    section, path = solo.section(), f"/flaky-{uuid.uuid4().hex[:6]}"
    solo.receiver.plans[path] = [500, 500]
    subscription_id, secret = subscribe(solo, path, sections=[section])
    release(solo, cleared_story(section=section))
    got = wait_for(lambda: len(solo.receiver.at(path)) >= 3 and solo.receiver.at(path), 20)
    assert len({r.headers["newsroom-delivery"] for r in got}) == 1  # one delivery, 3 tries
    assert all(signature_ok(secret, r) for r in got)

    def done() -> list[dict[str, Any]]:
        return [d for d in deliveries(solo, subscription_id) if d["status"] == "delivered"]

    delivered = wait_for(done, 10, what="the delivery recorded as delivered")[0]
    assert delivered["attempts"] == 3
    assert [a["status_code"] for a in delivered["log"]] == [500, 500, 200]
    assert [a["outcome"] for a in delivered["log"]] == ["retry", "retry", "delivered"]
    waits = [a["next_attempt_at"] for a in delivered["log"][:2]]
    assert all(waits)  # each retry was scheduled, with backoff
    time.sleep(1.0)
    assert len(solo.receiver.at(path)) == 3


def test_a_client_error_is_not_retried(solo: Solo) -> None:
    section, path = solo.section(), f"/gone-{uuid.uuid4().hex[:6]}"
    solo.receiver.plans[path] = [400]
    subscription_id, _ = subscribe(solo, path, sections=[section])
    release(solo, cleared_story(section=section))
    wait_for(lambda: solo.receiver.at(path), 15, what="the first attempt")
    failed = wait_for(
        lambda: [d for d in deliveries(solo, subscription_id) if d["status"] == "failed"], 10
    )[0]
    assert failed["attempts"] == 1
    assert failed["log"][0]["status_code"] == 400
    time.sleep(1.5)  # the backoff is 0.2 s: a retry would have come
    assert len(solo.receiver.at(path)) == 1


def test_an_editor_sends_a_failed_delivery_again(solo: Solo) -> None:
    section, path = solo.section(), f"/later-{uuid.uuid4().hex[:6]}"
    solo.receiver.plans[path] = [400]  # refuses once, then accepts
    subscription_id, secret = subscribe(solo, path, sections=[section])
    release(solo, cleared_story(section=section))
    failed = wait_for(
        lambda: [d for d in deliveries(solo, subscription_id) if d["status"] == "failed"], 15
    )[0]
    redeliver = f"/v1/subscriptions/{subscription_id}/deliveries/{failed['id']}/redeliver"
    for role in ("reporter", "reviewer"):
        with solo.client(role) as other:
            assert other.post(redeliver).status_code == 403
    with solo.client("editor") as editor:
        queued = editor.post(redeliver)
        assert queued.status_code == 202, queued.text
        assert queued.json()["status"] == "pending"
        missing = f"/v1/subscriptions/{subscription_id}/deliveries/dlv_nope/redeliver"
        assert editor.post(missing).status_code == 404
    delivered = wait_for(
        lambda: [d for d in deliveries(solo, subscription_id) if d["status"] == "delivered"], 15
    )[0]
    assert [a["status_code"] for a in delivered["log"]] == [400, 200]
    first, second = solo.receiver.at(path)
    assert first.body == second.body  # the same event, signed afresh
    assert signature_ok(secret, second)
    with solo.client("editor") as editor:  # a delivered one may be sent again too
        assert editor.post(redeliver).status_code == 202
    third = wait_for(lambda: len(solo.receiver.at(path)) >= 3 and solo.receiver.at(path), 15)
    assert third[2].body == first.body


def test_a_receiver_that_does_not_answer_delays_no_other_subscriber(solo: Solo) -> None:
    """While one receiver holds its answer, another subscriber's next delivery goes out:
    the sender does not wait for a whole batch of attempts before it takes the next."""
    section = solo.section()
    slow, good = f"/slow-{uuid.uuid4().hex[:6]}", f"/good-{uuid.uuid4().hex[:6]}"
    solo.receiver.plans[slow] = [HOLD]
    slow_id, _ = subscribe(solo, slow, sections=[section])
    subscribe(solo, good, sections=[section])
    try:
        first = release(solo, cleared_story(section=section))
        wait_for(lambda: solo.receiver.at(slow), 15, what="the slow receiver's request")
        second = release(solo, cleared_story(section=section))

        def story_ids(path: str) -> list[str]:
            return [r.json["data"]["story_id"] for r in solo.receiver.at(path)]

        wait_for(lambda: second.story_id in story_ids(good), 15, what="the second story")
        # The slow receiver's attempt is still under way (none recorded): the second story
        # did not wait for it (publish's read timeout here: 2 s).
        attempts = {d["story_id"]: d["attempts"] for d in deliveries(solo, slow_id)}
        assert attempts[first.story_id] == 0
        assert story_ids(good) == [first.story_id, second.story_id]
    finally:
        solo.receiver.let_go(slow)


def test_a_receiver_that_sends_its_headers_a_byte_at_a_time_is_timed_out(solo: Solo) -> None:
    """Every byte comes within the read timeout (2 s here), so only a limit on the whole
    attempt (three timeouts, 6 s) ends it; without one the place stayed held for good."""
    section, path = solo.section(), f"/drip-{uuid.uuid4().hex[:6]}"
    solo.receiver.plans[path] = [DRIP]
    subscription_id, _ = subscribe(solo, path, sections=[section])
    release(solo, cleared_story(section=section))
    try:

        def first_attempt() -> dict[str, Any] | None:
            logged = [a for d in deliveries(solo, subscription_id) for a in d["log"]]
            return logged[0] if logged else None

        attempt = wait_for(first_attempt, 30, what="the dripping receiver's attempt ended")
        assert attempt["error"] == "timeout", attempt
        assert attempt["outcome"] == "retry", attempt
    finally:
        solo.receiver.let_go(path)


def test_an_answer_is_its_status_whatever_its_body(solo: Solo) -> None:
    """A receiver that answers 200 and then sends its body a byte at a time (a gigabyte
    announced) has its delivery recorded as delivered at once: the body is never read."""
    section, path = solo.section(), f"/trickle-{uuid.uuid4().hex[:6]}"
    solo.receiver.plans[path] = [TRICKLE]
    subscription_id, _ = subscribe(solo, path, sections=[section])
    try:
        release(solo, cleared_story(section=section))

        def delivered() -> list[dict[str, Any]]:
            return [d for d in deliveries(solo, subscription_id) if d["status"] == "delivered"]

        found = wait_for(delivered, 15, what="the delivery recorded while the body trickles")
        assert [a["status_code"] for a in found[0]["log"]] == [200]
    finally:
        solo.receiver.let_go(path)


def test_a_subscription_deleted_during_an_attempt_gets_nothing_more(solo: Solo) -> None:
    """The attempt under way when the subscription is deleted is logged, but its delivery
    stays canceled: a failed answer does not bring it back for retries."""
    section, path = solo.section(), f"/deleted-{uuid.uuid4().hex[:6]}"
    solo.receiver.plans[path] = [HOLD]  # then 500: retried, were it still pending
    subscription_id, _ = subscribe(solo, path, sections=[section])
    release(solo, cleared_story(section=section))
    wait_for(lambda: solo.receiver.at(path), 15, what="the attempt under way")
    with solo.client("editor") as editor:
        assert editor.delete(f"/v1/subscriptions/{subscription_id}").status_code == 204
    solo.receiver.let_go(path)
    rows = MongoClient(solo.settings.mongo_url)[solo.settings.database("publish")].deliveries

    def logged() -> dict[str, Any] | None:
        row = rows.find_one({"subscription_id": subscription_id, "attempts": 1})
        return dict(row) if row else None

    row = wait_for(logged, 15, what="the attempt logged")
    assert row["status"] == "canceled"
    assert row["lease_until"] is None
    assert len(solo.receiver.at(path)) == 1


def test_a_retraction_reaches_every_subscriber(solo: Solo) -> None:
    section = solo.section()
    narrow, wide = f"/narrow-{uuid.uuid4().hex[:6]}", f"/wide-{uuid.uuid4().hex[:6]}"
    _, narrow_secret = subscribe(solo, narrow, sections=[section])
    _, wide_secret = subscribe(solo, wide, events=["retracted"])  # every section
    snapshot = release(solo, cleared_story(section=section))
    with solo.client("editor") as editor:
        response = editor.post(
            f"/v1/stories/{snapshot.story_id}/retract", json={"reason": "Wrong town."}
        )
        assert response.status_code == 200

    def events(path: str) -> list[str]:
        return [
            r.headers["newsroom-event"]
            for r in solo.receiver.at(path)
            if r.json["data"]["story_id"] == snapshot.story_id
        ]

    wait_for(lambda: events(narrow) == ["published", "retracted"], 15, what="narrow events")
    wait_for(lambda: events(wide) == ["retracted"], 15, what="wide events")
    retraction = next(
        r for r in solo.receiver.at(wide) if r.json["data"]["story_id"] == snapshot.story_id
    )
    assert signature_ok(wide_secret, retraction)
    assert from_http(retraction.headers, retraction.body)["type"] == "org.newsroom.story.retracted"
    assert retraction.json["data"]["reason"] == "Wrong town."
    assert retraction.json["data"]["item"]["title"].startswith("Retracted: ")
    assert all(signature_ok(narrow_secret, r) for r in solo.receiver.at(narrow))


def test_one_trace_runs_from_the_reviewed_event_to_the_webhook_delivery(solo: Solo) -> None:
    section, path = solo.section(), f"/traced-{uuid.uuid4().hex[:6]}"
    subscribe(solo, path, sections=[section])
    trace_id = uuid.uuid4().hex
    # Released by publish itself (publish_when_cleared) while handling the event; hidden
    # from catch-up, so the event, not verify's listing, brings the news.
    snapshot = cleared_story(section=section, publish_when_cleared=True)
    solo.verify.hidden.add(snapshot.story_id)
    solo.reviewed(snapshot, trace_id=trace_id)
    (delivery,) = wait_for(lambda: solo.receiver.at(path), 20, what="the delivery")
    expected = f"00-{trace_id}-{'0' * 15}1-01"
    assert delivery.headers["traceparent"] == expected
    assert from_http(delivery.headers, delivery.body)["traceparent"] == expected

    topic = solo.settings.topic(Topic.STORIES_PUBLISHED)

    def mine(records: list[Any]) -> list[Any]:
        return [r for r in records if r.key == snapshot.story_id.encode()]

    (record,) = mine(read_topic(solo.settings.kafka_bootstrap, topic, lambda r: bool(mine(r))))
    assert dict(record.headers)["traceparent"] == expected.encode()
    assert json.loads(record.value)["traceid"] == trace_id


def test_a_release_retried_later_by_a_worker_keeps_the_trace_of_its_snapshot(
    solo: Solo,
) -> None:
    section, path = solo.section(), f"/traced-later-{uuid.uuid4().hex[:6]}"
    subscribe(solo, path, sections=[section])
    trace_id = uuid.uuid4().hex
    snapshot = cleared_story(section=section, publish_when_cleared=True)
    solo.verify.hidden.add(snapshot.story_id)
    solo.verify.mode[snapshot.story_id] = "error"  # the handler's release must wait
    solo.reviewed(snapshot, trace_id=trace_id)
    solo.gate(snapshot.story_id, snapshot.version)
    solo.verify.mode[snapshot.story_id] = "ok"  # now the catch-up worker's sweep releases
    (delivery,) = wait_for(lambda: solo.receiver.at(path), 30, what="the delivery")
    assert delivery.headers["traceparent"] == f"00-{trace_id}-{'0' * 15}1-01"


def _delivery_counts(solo: Solo) -> dict[str, float]:
    with solo.client() as anonymous:
        text = anonymous.get("/metrics").text
    return {
        s.labels["outcome"]: s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "newsroom_webhook_deliveries_total"
    }


def test_metrics_count_webhook_deliveries_by_outcome_from_zero(solo: Solo) -> None:
    before = _delivery_counts(solo)
    assert set(before) == {"delivered", "retry", "failed", "gave_up", "superseded"}  # from 0
    section, path = solo.section(), f"/counted-{uuid.uuid4().hex[:6]}"
    solo.receiver.plans[path] = [503, 400]  # one retry, then a refusal
    subscribe(solo, path, sections=[section])
    release(solo, cleared_story(section=section))
    # Other tests deliver too: at least this delivery's two attempts are counted.
    after = wait_for(
        lambda: (c := _delivery_counts(solo))["failed"] >= before["failed"] + 1 and c,
        20,
        what="the refused delivery counted",
    )
    assert after["retry"] >= before["retry"] + 1


def test_one_story_reaches_a_subscriber_in_release_order(solo: Solo) -> None:
    section, path = solo.section(), f"/order-{uuid.uuid4().hex[:6]}"
    subscribe(solo, path, sections=[section])
    # The first attempt fails and asks for a later try; the correction is made meanwhile.
    solo.receiver.plans[path] = [(503, {"Retry-After": "2"})]
    first = release(solo, cleared_story(section=section))
    wait_for(lambda: solo.receiver.at(path), 15, what="the first attempt")
    revision = first.revision + 1
    corrected = bump(first, revision=revision, claim_list_confirmed_revision=revision)
    release(solo, corrected)
    got = wait_for(lambda: (r := solo.receiver.at(path)) and len(r) >= 3 and r, 30)
    events = [(r.json["data"]["action"], r.json["data"]["revision"]) for r in got]
    # A site applying them in order ends on the corrected text.
    assert events == [("published", 1), ("published", 1), ("corrected", 2)]


def test_followers_of_a_section_a_story_left_hear_of_its_correction_and_retraction(
    solo: Solo,
) -> None:
    before, after = solo.section(), solo.section()
    old_path, new_path = f"/left-{uuid.uuid4().hex[:6]}", f"/came-{uuid.uuid4().hex[:6]}"
    old_id, _ = subscribe(solo, old_path, sections=[before])
    new_id, _ = subscribe(solo, new_path, sections=[after])
    first = release(solo, cleared_story(section=before))
    moved = bump(first, revision=2, section=after, claim_list_confirmed_revision=2)
    release(solo, moved)
    with solo.client("editor") as editor:
        answer = editor.post(
            f"/v1/stories/{first.story_id}/retract", json={"reason": "The vote was annulled"}
        )
    assert answer.status_code == 200, answer.text
    assert sorted(d["event"] for d in deliveries(solo, old_id)) == [
        "corrected", "published", "retracted"
    ]  # fmt: skip
    assert sorted(d["event"] for d in deliveries(solo, new_id)) == ["corrected", "retracted"]


def test_a_delivery_body_carries_no_script_a_naive_receiver_could_run(solo: Solo) -> None:
    """The webhook's feed entry is hardened as the JSON feed is: the words a story merely
    mentions (``<script>``, ``javascript:``, ``onload=``) travel as JSON escapes, the same
    text once parsed, never as raw bytes."""
    section, path = solo.section(), f"/ok-{uuid.uuid4().hex[:6]}"
    _, secret = subscribe(solo, path, sections=[section])
    mention = " Critics wrote &lt;script&gt;alert(1)&lt;/script&gt; and javascript:x onload=y."
    snapshot = cleared_story(section=section, body=BODY + mention)
    release(solo, snapshot.model_copy(update={"headline": "Budget javascript:x onload=y"}))
    got: list[Received] = wait_for(lambda: solo.receiver.at(path), 15, what="a delivery")
    raw = got[0].body.lower()
    for danger in (b"<script", b"javascript:", b"onload="):
        assert danger not in raw, danger
    assert signature_ok(secret, got[0])
    item = from_http(got[0].headers, got[0].body).data["item"]
    assert "<script>alert(1)</script> and javascript:x onload=y." in item["content_text"]
    assert item["title"] == "Budget javascript:x onload=y"
