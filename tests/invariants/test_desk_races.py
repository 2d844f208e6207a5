"""A busy desk at once: overlapping requests of reviewers, editors and admins on one
story, each interleaving forced with conditions (never sleeps or luck), and what every
side is told checked against what the store then holds."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest

from services.auth import repository as auth_repository
from services.auth import revoke_user
from services.clock import utcnow
from tests.support.console import CSRF, signed_in
from tests.support.desk import confirm_claim_list, story_claims, verify_every_claim
from tests.support.pages import every_item
from tests.support.plans import plan, watched
from tests.support.reports import BODY, report, submit
from tests.support.servers import api, wait_for
from tests.support.stack import Stack
from verify.stories import intake, review
from verify.stories.repository import leases
from verify.stories.revoked import RevokedLeases
from verify.stories.unit_of_work import SYSTEM

DEADLINE = 30.0
SECTION = "desk-races"  # owned (tests/support/stack.py): the queue test reads it whole


def claim_in_review(stack: Stack) -> dict[str, Any]:
    with stack.client("ingest", "reporter") as ingest:
        story_id = submit(ingest).json()["story_id"]
    with stack.client("verify", "reviewer") as verify:
        claim: dict[str, Any] = story_claims(verify, story_id)["claims"][0]
    return {**claim, "story_id": story_id}


@contextmanager
def paused_after_take(
    monkeypatch: pytest.MonkeyPatch, claim_id: str
) -> Iterator[tuple[threading.Event, threading.Event]]:
    """The next lease of ``claim_id`` stops once its atomic take is made, before the
    transaction that records it: ``taken`` is set then, and it goes on when ``go`` is."""
    taken, go = threading.Event(), threading.Event()
    take = leases.take

    def held(before: Any, after: Any, now: Any) -> bool:
        done = take(before, after, now)
        if before.claim_id == claim_id and not taken.is_set():
            taken.set()
            assert go.wait(DEADLINE), "the test never let the lease go on"
        return done

    monkeypatch.setattr(leases, "take", held)
    try:
        yield taken, go
    finally:
        go.set()


def in_thread(
    pool: ThreadPoolExecutor, call: Callable[[], httpx.Response]
) -> Future[httpx.Response]:
    return pool.submit(call)


def test_a_renewal_that_meets_a_give_back_is_not_told_it_holds_the_claim(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer renews in one tab while giving the claim back in another (or an editor
    gives it back). The give-back is recorded between the renewal's take and its record:
    the renewal used to be answered 200 with the reviewer as holder, and its record wrote
    a lease end onto a claim nobody held; now it is refused and the claim stays free."""
    claim = claim_in_review(stack)
    url = f"/v1/claims/{claim['claim_id']}"
    _, token = stack.new_user("reviewer")
    with api(stack.url("verify"), token) as mine, ThreadPoolExecutor(1) as pool:
        assert mine.post(f"{url}/lease").status_code == 200
        with paused_after_take(monkeypatch, claim["claim_id"]) as (taken, go):
            renewal = in_thread(pool, lambda: mine.post(f"{url}/lease"))
            assert taken.wait(DEADLINE)
            given_back = mine.delete(f"{url}/lease")
            assert given_back.status_code == 200, given_back.text
            go.set()
            renewed = renewal.result(timeout=DEADLINE)
        after = mine.get(url).json()
        history = [e["action"] for e in mine.get(f"{url}/history").json()["entries"]]
    assert after["holder"] is None
    assert renewed.status_code == 409, renewed.text
    assert renewed.headers["content-type"] == "application/problem+json"
    assert history[-1] == "released", history
    raw = stack_claim(claim["claim_id"])
    assert (raw.get("lease_holder_id"), raw.get("lease_until")) == (None, None)


def stack_claim(claim_id: str) -> dict[str, Any]:
    from verify.stories.documents import Claim

    found: dict[str, Any] = Claim._get_collection().find_one({"claim_id": claim_id})
    return found


def test_a_release_names_the_version_the_editor_looked_at(stack: Stack) -> None:
    """An editor reads the gate (publishable, version v); a reviewer then changes a claim
    and the story stays publishable. A release of version v is refused with 412 and
    releases nothing; a release of the version as it is now goes through."""
    claim = claim_in_review(stack)
    story_id = claim["story_id"]
    with stack.client("verify", "reviewer") as verify:
        verify_every_claim(verify, story_id)
        confirm_claim_list(verify, story_id)
    with stack.client("publish", "editor") as desk:

        def publishable() -> dict[str, Any] | None:
            answer = desk.get(f"/v1/stories/{story_id}/gate")
            gate: dict[str, Any] = answer.json() if answer.status_code == 200 else {}
            return gate if gate.get("publishable") else None

        looked = wait_for(publishable, what="a publishable gate")
        with stack.client("verify", "reviewer") as verify:
            now = verify.get(f"/v1/claims/{claim['claim_id']}").json()
            marked = verify.post(
                f"/v1/claims/{claim['claim_id']}/review",
                json={"status": "verified", "note": "checked with the clerk"},
                headers={"If-Match": f'"{now["version"]}"'},
            )
            assert marked.status_code == 200, marked.text
        stale = desk.post(f"/v1/stories/{story_id}/publish", json={"version": looked["version"]})
        assert stale.status_code == 412, stale.text
        assert stale.headers["content-type"] == "application/problem+json"
        current = stale.json()["version"]
        assert current > looked["version"]
        assert desk.get(f"/v1/published/{story_id}").status_code == 404
        released = desk.post(f"/v1/stories/{story_id}/publish", json={"version": current})
        assert released.status_code == 200, released.text
        assert released.json()["version"] == current


def test_a_claim_the_new_revision_dropped_takes_no_mark_or_lease(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reporter sends revision 2 without a sentence while a reviewer has its claim
    open. Until the sweep closes the claims a revision dropped, that claim is still open
    (and in the queue); a mark or a lease on it used to be answered 200 and audited on a
    claim no longer in the story. Now both are refused with 409, and nothing changes."""
    monkeypatch.setattr(intake, "sweep", lambda *args, **kwargs: False)  # the window, held
    claim = claim_in_review(stack)
    story_id = claim["story_id"]
    with stack.client("verify", "reviewer") as verify:
        claims = story_claims(verify, story_id)["claims"]
        dropped = next(c for c in claims if "21 to 9" in c["text"])
        url = f"/v1/claims/{dropped['claim_id']}"
        kept = BODY.split("\n\n")[0]
        with stack.client("ingest", "reporter") as ingest:
            revised = submit(ingest, report(story_id=story_id, body=kept, claims=[]))
            assert revised.status_code == 202, revised.text
        wait_for(
            lambda: verify.get(f"/v1/stories/{story_id}").json()["revision"] == 2,
            what="revision 2 in verify",
        )
        still = verify.get(url).json()
        assert still["open"] is True  # the sweep has not closed it
        before = [e["action"] for e in verify.get(f"{url}/history").json()["entries"]]

        marked = verify.post(
            f"{url}/review",
            json={"status": "verified"},
            headers={"If-Match": f'"{still["version"]}"'},
        )
        leased = verify.post(f"{url}/lease")
        after = verify.get(url).json()
        history = [e["action"] for e in verify.get(f"{url}/history").json()["entries"]]
    assert marked.status_code == 409, marked.text
    assert leased.status_code == 409, leased.text
    assert "revision 2" in marked.json()["detail"]
    assert (after["status"], after["version"], after["holder"]) == (
        "pending",
        still["version"],
        None,
    )
    assert history == before


def test_a_revoked_reviewers_lease_holds_nobody_back(stack: Stack) -> None:
    """An admin revokes a reviewer who holds a claim. Their requests are refused at once,
    but their lease ran on: every other reviewer was refused the claim (409 naming them)
    until it ended, up to an hour. Now the next contender ends it (audited, with why)
    and takes the claim; marking a claim a revoked reviewer held works the same way."""
    claim = claim_in_review(stack)
    url = f"/v1/claims/{claim['claim_id']}"
    name, token = stack.new_user("reviewer")
    _, other = stack.new_user("reviewer")
    with api(stack.url("verify"), token) as revoked, api(stack.url("verify"), other) as next_one:
        assert revoked.post(f"{url}/lease").status_code == 200
        revoke_user(name)
        assert revoked.post(f"{url}/lease").status_code == 401
        taken = next_one.post(f"{url}/lease")
        assert taken.status_code == 200, taken.text
        assert taken.json()["holder"] != name
        entries = next_one.get(f"{url}/history").json()["entries"]
        # And a mark without a lease, on a claim the revoked reviewer held.
        second = story_claims(next_one, claim["story_id"])["claims"][1]
    assert [e["action"] for e in entries][-3:] == ["leased", "released", "leased"]
    assert "revoked" in entries[-2]["detail"]

    name, token = stack.new_user("reviewer")
    with api(stack.url("verify"), token) as revoked:
        assert revoked.post(f"/v1/claims/{second['claim_id']}/lease").status_code == 200
    revoke_user(name)
    with api(stack.url("verify"), other) as next_one:
        marked = next_one.post(
            f"/v1/claims/{second['claim_id']}/review",
            json={"status": "verified"},
            headers={"If-Match": f'"{second["version"]}"'},
        )
    assert marked.status_code == 200, marked.text
    assert marked.json()["holder"] is None


APPROVE_FORM = re.compile(
    r'<form method="post" action="/ui/stories/[^"]+/approve".*?</form>', re.DOTALL
)


def approve_form(page: str, attribution_id: str) -> dict[str, str]:
    """The desk's approval form of one anonymous source, as the browser would send it."""
    form = next(f for f in APPROVE_FORM.findall(page) if attribution_id in f)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return {**fields, "reason": "The desk knows who this is; naming them puts them at risk."}


def test_an_anonymous_source_changed_after_the_editor_looked_is_not_approved(
    stack: Stack,
) -> None:
    """An editor reads an anonymous source on the desk; a reviewer then rewrites that
    record (same id, another source). The approval the editor sends from the page used to
    land on the rewritten source, which no editor saw; now it is refused (412) and the
    page shows the source as it is."""
    claim = claim_in_review(stack)
    story_id, url = claim["story_id"], f"/v1/claims/{claim['claim_id']}"
    anonymous = {"source_kind": "anonymous", "obtained_via": "interview"}
    with stack.client("verify", "reviewer") as verify:
        marked = verify.post(
            f"{url}/review",
            json={
                "status": "contested",
                "attributions": [{"source_name": "A council insider", **anonymous}],
            },
            headers={"If-Match": f'"{claim["version"]}"'},
        )
        assert marked.status_code == 200, marked.text
        record = marked.json()["attributions"][0]["attribution_id"]
        with signed_in(stack.url("publish"), stack.tokens["editor"]) as desk:

            def shown() -> str | None:
                page = desk.get(f"/ui/stories/{story_id}").text
                return page if record in page and "A council insider" in page else None

            looked = approve_form(wait_for(shown, what="the source on the desk"), record)
            rewritten = verify.post(
                f"{url}/review",
                json={
                    "status": "contested",
                    "attributions": [
                        {"attribution_id": record, "source_name": "A police officer", **anonymous}
                    ],
                },
                headers={"If-Match": f'"{marked.json()["version"]}"'},
            )
            assert rewritten.status_code == 200, rewritten.text
            refused = desk.post(f"/ui/stories/{story_id}/approve", data=looked)
            assert refused.status_code == 412, refused.text[:300]
            assert "A police officer" in refused.text  # the page, as verify has it now
            after = verify.get(url).json()["attributions"][0]
            assert (after["source_name"], after["approval"]) == ("A police officer", None)

            again = desk.post(
                f"/ui/stories/{story_id}/approve", data=approve_form(refused.text, record)
            )
            assert again.status_code == 303, again.text[:300]
        approved = verify.get(url).json()["attributions"][0]
    assert approved["source_name"] == "A police officer"
    assert approved["approval"]["approved_by"] == stack.names["editor"]


def test_a_mark_saved_in_the_console_is_told_saved_though_its_lease_moved_on(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer marks a claim in the console; the mark is saved, and before the console
    gives the lease back an editor frees it and another reviewer takes the claim. The
    give-back is refused (not theirs any more), and the console used to answer "Not
    done" (403) for a mark that was saved, inviting a second one; now it says saved."""
    claim = claim_in_review(stack)
    url = f"/v1/claims/{claim['claim_id']}"
    name, token = stack.new_user("reviewer")
    _, other = stack.new_user("reviewer")
    release = review.release
    moved: list[bool] = []

    def meanwhile(claim_id: str, actor: Any, now: Any, notify: Any) -> Any:
        if actor.name == name and not moved:  # the console's give-back, after the mark
            moved.append(True)
            with stack.client("verify", "editor") as editor:
                assert editor.delete(f"{url}/lease").status_code == 200
            with api(stack.url("verify"), other) as taker:
                assert taker.post(f"{url}/lease").status_code == 200
        return release(claim_id, actor, now, notify)

    with signed_in(stack.url("verify"), token) as console:
        page = console.get(f"/ui/claims/{claim['claim_id']}")
        found = CSRF.search(page.text)
        assert found is not None
        csrf = found.group(1)
        leased = console.post(f"/ui/claims/{claim['claim_id']}/lease", data={"csrf_token": csrf})
        assert leased.status_code == 303, leased.text[:300]
        monkeypatch.setattr(review, "release", meanwhile)
        marked = console.post(
            f"/ui/claims/{claim['claim_id']}/review",
            data={"csrf_token": csrf, "status": "verified", "version": str(claim["version"])},
        )
    assert moved
    assert marked.status_code == 303, marked.text[:300]
    assert "done=reviewed" in marked.headers["location"]
    with stack.client("verify", "reviewer") as verify:
        after = verify.get(url).json()
    assert after["status"] == "verified"
    assert after["holder"] != name


def _revised_to_drop_claims(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """A story whose revision 2 keeps only its first paragraph, with the sweep held back:
    its id, revision 1's claims, and verify's story at revision 2 (the dropped claims
    still open and pending)."""
    monkeypatch.setattr(intake, "sweep", lambda *args, **kwargs: False)  # the window, held
    with stack.client("ingest", "reporter") as ingest:
        story_id = submit(ingest, report(section=SECTION)).json()["story_id"]
        with stack.client("verify", "reviewer") as verify:
            first = story_claims(verify, story_id)["claims"]
            kept = BODY.split("\n\n")[0]
            revised = submit(
                ingest, report(story_id=story_id, section=SECTION, body=kept, claims=[])
            )
            assert revised.status_code == 202, revised.text
            current = wait_for(
                lambda: (lambda s: s if s["revision"] == 2 else None)(
                    verify.get(f"/v1/stories/{story_id}").json()
                ),
                what="revision 2 in verify",
            )
    return story_id, first, current


def test_the_queue_by_story_lists_and_counts_only_the_current_revisions_claims(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Until the sweep closes the claims a new revision dropped, they are open and
    pending: the queue by story counted and listed them under the new revision (a claim
    nobody can take any more). It now shows the current revision's claims, counted from
    what it lists."""
    story_id, first, current = _revised_to_drop_claims(stack, monkeypatch)
    assert any("21 to 9" in c["text"] for c in first)
    with stack.client("verify", "reviewer") as verify:
        queued = verify.get("/v1/queue/stories", params={"section": SECTION, "limit": 50})
    assert queued.status_code == 200, queued.text
    [group] = [g for g in queued.json()["items"] if g["story_id"] == story_id]
    pending = sorted(c["claim_id"] for c in current["claims"] if c["status"] == "pending")
    assert group["revision"] == 2
    assert sorted(c["claim_id"] for c in group["claims"]) == pending
    assert group["claims_waiting"] == len(pending)
    assert {c["revision"] for c in group["claims"]} == {2}


def test_the_claim_queue_and_the_counts_agree_with_the_queue_by_story(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claims a new revision dropped stay open and pending until the sweep closes them:
    the queue by story leaves them out, but the queue claim by claim (``/v1/queue``)
    listed them, and the console's counts (and ``/metrics``' depth) counted them. All
    three now hold the current revisions' claims only, read here over the whole section
    (claims dropped by this module's other revisions included), in pages small enough
    that some hold dropped claims only."""
    story_id, first, current = _revised_to_drop_claims(stack, monkeypatch)
    with stack.client("verify", "reviewer") as verify:
        dropped = {c["claim_id"] for c in first} - {c["claim_id"] for c in current["claims"]}
        assert dropped
        assert all(verify.get(f"/v1/claims/{c}").json()["open"] for c in dropped)
        listed = every_item(verify, "/v1/queue", limit=2, section=SECTION)
        by_story = every_item(verify, "/v1/queue/stories", limit=50, section=SECTION)
    _, token = stack.new_user("reviewer")
    with signed_in(stack.url("verify"), token) as console:
        summary = console.get("/ui/queue", params={"section": SECTION}).text
    counted = re.search(r"data-live-summary>(\d+) ", summary)
    assert counted is not None, summary[:500]

    ids = [c["claim_id"] for c in listed]
    pending = {c["claim_id"] for c in current["claims"] if c["status"] == "pending"}
    assert not dropped & set(ids)
    assert {c["claim_id"] for c in listed if c["story_id"] == story_id} == pending
    grouped = [c["claim_id"] for g in by_story for c in g["claims"]]
    assert sorted(ids) == sorted(grouped)  # each once, the same claims
    assert int(counted.group(1)) == len(ids) == sum(g["claims_waiting"] for g in by_story)


def revoked_leases_pass(stack: Stack) -> RevokedLeases:
    """The pass verify's ``revoked-leases`` worker runs, on the running service's outbox
    (its second look at a revocation two minutes after it: no test waits that long)."""
    app = stack.apps["verify"].server.config.app
    assert "revoked-leases" in [w.name for w in app.state.runtime.workers]
    return RevokedLeases(
        app.state.verify.story_changed, late=timedelta(seconds=120), margin=timedelta(seconds=10)
    )


def test_a_revoked_reviewers_lease_ends_without_a_contender(stack: Stack) -> None:
    """An admin revokes a reviewer who holds a claim, and nobody else touches it. The gate
    and the desk named them as the one to act until their lease ran out, from the
    holders verify sent when the story last changed. Verify's pass now ends the lease
    (audited, with why) and sends the change: publish names them no more, and the claim
    can be taken."""
    claim = claim_in_review(stack)
    story_id, url = claim["story_id"], f"/v1/claims/{claim['claim_id']}"
    name, token = stack.new_user("reviewer")
    with api(stack.url("verify"), token) as revoked:
        assert revoked.post(f"{url}/lease").status_code == 200
    with (
        stack.client("publish", "editor") as publish,
        signed_in(stack.url("publish"), stack.tokens["editor"]) as desk,
    ):

        def gate_holder() -> Any:
            gate = publish.get(f"/v1/stories/{story_id}/gate")
            if gate.status_code != 200:
                return "(publish has not seen the story yet)"
            blockers = gate.json()["blockers"]
            return {b["claim_id"]: b["holder"] for b in blockers}.get(claim["claim_id"])

        def desk_names() -> bool:
            return name in desk.get(f"/ui/stories/{story_id}").text

        wait_for(lambda: gate_holder() == name, DEADLINE, what="the holder in the gate")
        assert desk_names()
        revoke_user(name)
        revoked_leases_pass(stack).run(utcnow())
        wait_for(lambda: gate_holder() not in (name, None), DEADLINE, what="holder gone")
        wait_for(lambda: not desk_names(), DEADLINE, what="the holder gone from the desk")
    with stack.client("verify", "reviewer") as next_one:
        taken = next_one.post(f"{url}/lease")
        assert taken.status_code == 200, taken.text
        entries = next_one.get(f"{url}/history").json()["entries"]
    released = [e for e in entries if e["action"] == "released"]
    assert [e["action"] for e in entries][-3:] == ["leased", "released", "leased"]
    assert f"{name}'s access was revoked" == released[-1]["detail"]


def test_a_pass_with_nobody_newly_revoked_reads_the_users_once(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every few seconds in every verify replica: one read of the (small) users
    collection, and no claim read unless someone was revoked. The claims' read it makes
    then goes by the open claims' index range, not the whole collection."""
    name, token = stack.new_user("reviewer")
    claim = claim_in_review(stack)
    with api(stack.url("verify"), token) as revoked:
        assert revoked.post(f"/v1/claims/{claim['claim_id']}/lease").status_code == 200
    revoke_user(name)
    worker = revoked_leases_pass(stack)
    settings = stack.settings
    with (
        watched(settings.mongo_url, settings.database("auth"), "users") as users,
        watched(settings.mongo_url, settings.database("verify"), "claims") as claims,
        monkeypatch.context() as patch,
    ):
        # Only this thread's reads: the service's own worker runs the same passes.
        me, own_users, own_claims = threading.get_ident(), auth_repository._users, leases._claims
        patch.setattr(
            auth_repository,
            "_users",
            lambda: users.collection if threading.get_ident() == me else own_users(),
        )
        patch.setattr(
            leases,
            "_claims",
            lambda: claims.collection if threading.get_ident() == me else own_claims(),
        )
        worker.run(utcnow())  # the revoked reviewer's lease: the open claims read once
        held = [s.filter for s in claims.filters if s.command == "find"]
        users.clear()
        claims.clear()
        worker.run(utcnow())
        read = [(s.command, s.filter) for s in users.filters]
        claim_reads = list(claims.filters)
        plans = [(filter, plan(claims.collection, filter)) for filter in held]
    # The open claims' lease fields, status by status (and the held claim whole by its
    # id, unless the service's own pass ended the lease first).
    assert any("status" in filter for filter in held), held
    for filter, found in plans:
        assert not found.scans, (filter, found)
    assert claim_reads == []
    assert len(read) == 1, read
    assert read[0][0] == "find", read
    assert list(read[0][1]) == ["revoked_at"], read


def test_a_revoked_lease_two_passes_race_for_ends_once(stack: Stack) -> None:
    """Every verify replica runs the pass, and a contender may meet the same lease: two
    enders that read the claim before either wrote. The second found the claim free and
    ended the lease again ("unleased or that holder's"), audited twice; it now applies
    only while the stored lease is still the one it read."""
    name, token = stack.new_user("reviewer")
    claim = claim_in_review(stack)
    url = f"/v1/claims/{claim['claim_id']}"
    with api(stack.url("verify"), token) as revoked:
        assert revoked.post(f"{url}/lease").status_code == 200
    read = review.get(claim["claim_id"])  # as both enders read it, before either wrote
    assert read.lease_holder_id is not None
    revoke_user(name)
    notify = stack.apps["verify"].server.config.app.state.verify.story_changed
    ended = [review.end_revoked_lease(read, SYSTEM, utcnow(), notify) for _ in range(2)]
    with stack.client("verify", "reviewer") as verify:
        entries = verify.get(f"{url}/history").json()["entries"]
    revoked_entries = [e for e in entries if e["detail"] == f"{name}'s access was revoked"]
    # The service's own pass may be the first ender: then both of these find it ended.
    assert ended in ([True, False], [False, False])
    assert len(revoked_entries) == 1, entries
