"""What must not reach the public, read from outside as a reader or a subscriber would:
every page, feed, ninjs document and webhook of a story, through the real broker and
store.

- an anonymous source's identity, where a reviewer wrote it in the record (its name,
  affiliation, link, quote) and the editor's reason for keeping it anonymous;
- anything of a revision held behind the gate (not even that there is one);
- a retracted story's text, through a redelivery of a delivery made before the
  retraction, or through one still waiting for a retry when the story was retracted.
"""

from __future__ import annotations

import uuid
from typing import Any

from services.contracts import ReviewStatus, StoryReviewed
from tests.publish.builders import attribution, bump, claim, cleared_story, story
from tests.publish.conftest import Solo
from tests.publish.test_correction_flags import _flag, _send
from tests.publish.test_webhooks import _delivery_counts, deliveries, release, subscribe
from tests.support.servers import wait_for


def _public(solo: Solo, story_id: str, section: str) -> dict[str, tuple[bytes, str, str]]:
    """Every public answer about one story: its page, ninjs, its section's page and
    feeds, each as (bytes, ETag, Last-Modified)."""
    paths = [
        f"/stories/{story_id}",
        f"/v1/published/{story_id}",
        f"/sections/{section}",
        *(f"/feeds/{section}.{fmt}" for fmt in ("json", "atom", "rss")),
    ]
    out = {}
    with solo.client() as public:
        for path in paths:
            answer = public.get(path, headers={"Accept-Encoding": "identity"})
            assert answer.status_code == 200, (path, answer.status_code)
            out[path] = (
                answer.content,
                answer.headers["etag"],
                answer.headers["last-modified"],
            )
    return out


def _everything(solo: Solo, story_id: str, section: str, webhook_path: str) -> bytes:
    """All the bytes readers and the subscriber at ``webhook_path`` got, headers too."""
    received = solo.receiver.at(webhook_path)
    return b"\n".join(
        [body for body, _, _ in _public(solo, story_id, section).values()]
        + [r.body for r in received]
        + [repr(sorted(r.headers.items())).encode() for r in received]
    ).lower()


# --- an anonymous source ------------------------------------------------------------------

ANONYMOUS_BODY = (
    "Officials met on Monday. The ministry will close two hospitals, sources said. "
    "The vote was 7 to 2."
)


def test_an_anonymous_sources_identity_and_the_editors_reason_reach_no_public_output(
    solo: Solo,
) -> None:
    """The reviewer wrote who the source is (name, affiliation, a link to their profile,
    their words) and the editor why they stay anonymous: readers and subscribers get
    "a source who asked not to be named" and that an editor approved it, nothing more.
    The story page and ClaimReview already said so; the feeds (the JSON Feed's
    ``_newsroom`` attributions, Atom's and RSS's ``newsroom:attribution``), the webhook's
    ``item``, the page's "Source" link and ClaimReview's ``appearance`` gave it away."""
    section, path = solo.section(), f"/anon-{uuid.uuid4().hex[:6]}"
    subscribe(solo, path, sections=[section])
    source = attribution(
        "Marguerite Quillfeather",
        "anonymous",
        "interview",
        approved="Quillfeather would lose her post at the Hospital Trust if named",
        affiliation="Northshire Hospital Trust",
        url="https://social.example/mquillfeather",
        quote="Two wards close in May, the rest by winter",
    )
    reviewed = story(
        ANONYMOUS_BODY,
        [
            claim(
                ANONYMOUS_BODY,
                "The ministry will close two hospitals",
                "contested",
                attributions=[source],
            ),
            claim(ANONYMOUS_BODY, "The vote was 7 to 2", "verified"),
        ],
        section=section,
    )
    # Who reviewed the claim, who holds its lease and the reporter's id come with the
    # snapshot too: for the desk, never for readers.
    internal = {"reviewed_by": "Zelda Reviewsworth", "holder": "Yorick Leaseholder"}
    snapshot = release(
        solo,
        reviewed.model_copy(
            update={
                "reporter_id": "u_reporter_vexley",
                "claims": [c.model_copy(update=internal) for c in reviewed.claims],
            }
        ),
    )
    wait_for(lambda: solo.receiver.at(path), 15, what="the published webhook")
    seen = _everything(solo, snapshot.story_id, section, path)

    assert b"the ministry will close two hospitals" in seen  # the claim itself is public
    assert b"a source who asked not to be named" in seen
    for secret in (
        "Quillfeather",  # the name, and the editor's reason naming her
        "Northshire",  # the affiliation
        "social.example",  # the link
        "rest by winter",  # the quote
        "lose her post",  # the editor's reason
        "editor-1",  # who approved
        "Reviewsworth",
        "Leaseholder",
        "vexley",
    ):
        assert secret.lower().encode() not in seen, secret


# --- a revision held behind the gate ------------------------------------------------------


def test_a_held_revision_that_rewords_a_released_claim_shows_nowhere_before_release(
    solo: Solo,
) -> None:
    """Revision 2 rewrites the sentence of a released claim: verify keeps the claim's id
    and sets it back to ``pending`` (its text changed). No public answer changes (bytes,
    ETag, Last-Modified), and subscribers are told nothing: ``pending`` is no verdict on
    what readers have, and a ``needs_correction`` then ("changed from contested to
    pending") told them an unreleased revision reworded that claim."""
    section, path = solo.section(), f"/held-{uuid.uuid4().hex[:6]}"
    subscription_id, _ = subscribe(solo, path, sections=[section])
    first = release(solo, cleared_story(section=section))
    wait_for(lambda: solo.receiver.at(path), 15, what="the published webhook")
    before = _public(solo, first.story_id, section)

    reworded = "the plan would cut potholes by a third within a year"
    body = first.body.replace("the plan would cut potholes by half", reworded)
    released_claim = first.claims[1]
    claims = [
        claim(body, first.claims[0].text, "verified", claim_id=first.claims[0].claim_id),
        claim(body, reworded, "pending", claim_id=released_claim.claim_id),
    ]
    held: StoryReviewed = bump(first, revision=2, body=body, claims=claims)
    solo.reviewed(held)
    gate = solo.gate(first.story_id, held.version)

    # The delivery of a flag would be stored with the snapshot, in its transaction.
    assert [d["event"] for d in deliveries(solo, subscription_id)] == ["published"]
    assert _public(solo, first.story_id, section) == before
    assert b"within a year" not in _everything(solo, first.story_id, section, path)
    assert (gate["state"], gate["publishable"]) == ("published", False)
    assert any(b["status"] == ReviewStatus.PENDING.value for b in gate["blockers"])


# --- a retracted story --------------------------------------------------------------------


def test_a_delivery_made_before_a_retraction_is_not_sent_again(solo: Solo) -> None:
    """The ``published`` delivery carries the whole story (``data.item``). Once the story
    is retracted an editor's redelivery of it would hand the withdrawn text to the
    subscriber again, after the retraction: it is refused (409), and the retraction's
    own delivery may be sent again."""
    section, path = solo.section(), f"/gone-{uuid.uuid4().hex[:6]}"
    subscription_id, _ = subscribe(solo, path, sections=[section])
    snapshot = release(solo, cleared_story(section=section))

    def delivered(event: str) -> dict[str, Any] | None:
        return next(
            (
                d
                for d in deliveries(solo, subscription_id)
                if d["event"] == event and d["status"] == "delivered"
            ),
            None,
        )

    published = wait_for(lambda: delivered("published"), 15, what="published delivered")
    with solo.client("editor") as editor:
        answer = editor.post(
            f"/v1/stories/{snapshot.story_id}/retract", json={"reason": "Wrong town."}
        )
        assert answer.status_code == 200, answer.text
    retracted = wait_for(lambda: delivered("retracted"), 15, what="retraction delivered")
    assert len(solo.receiver.at(path)) == 2

    base = f"/v1/subscriptions/{subscription_id}/deliveries"
    with solo.client("editor") as editor:
        refused = editor.post(f"{base}/{published['id']}/redeliver")
        assert refused.status_code == 409, refused.text
        assert "retracted" in refused.json()["detail"]
        again = editor.post(f"{base}/{retracted['id']}/redeliver")
        assert again.status_code == 202, again.text
    got = wait_for(lambda: len(solo.receiver.at(path)) >= 3 and solo.receiver.at(path), 15)
    assert [r.headers["newsroom-event"] for r in got] == ["published", "retracted", "retracted"]
    assert b"cut potholes" in got[0].body.lower()  # what the first delivery carried
    after = [r.body for r in got[1:]]
    after += [body for body, _, _ in _public(solo, snapshot.story_id, section).values()]
    assert all(b"cut potholes" not in body.lower() for body in after)


def test_a_delivery_waiting_for_a_retry_at_a_retraction_is_never_sent(solo: Solo) -> None:
    """Two subscribers whose receivers fail (503, try again in 5 s) while deliveries of the
    story's text wait: A's ``needs_correction`` (its ``published`` went through before it
    failed), B's ``published`` and, behind it, its ``needs_correction``; B also waits for
    another story's ``published``. The story is retracted and the receivers recover: each
    gets the retraction at once, not behind the text, and never the text again; the waiting
    deliveries show as superseded by the retraction and are counted; the other story's
    delivery still goes."""
    section, tag = solo.section(), uuid.uuid4().hex[:6]
    path_a, path_b = f"/down-a-{tag}", f"/down-b-{tag}"
    later = (503, {"Retry-After": "5"})
    solo.receiver.plans[path_b] = [later, later]  # the story's published, the other's
    sub_a, _ = subscribe(solo, path_a, sections=[section])
    sub_b, _ = subscribe(solo, path_b, sections=[section])
    counted = _delivery_counts(solo)["superseded"]

    def of(subscription_id: str, story_id: str, event: str) -> dict[str, Any] | None:
        return next(
            (
                d
                for d in deliveries(solo, subscription_id)
                if d["story_id"] == story_id and d["event"] == event
            ),
            None,
        )

    def retrying(subscription_id: str, story_id: str, event: str) -> bool:
        found = of(subscription_id, story_id, event)
        return bool(found and found["status"] == "pending" and found["log"])

    snapshot = release(solo, cleared_story(section=section))
    story_id = snapshot.story_id
    wait_for(
        lambda: (d := of(sub_a, story_id, "published")) and d["status"] == "delivered",
        15,
        what="A's published delivered",
    )
    wait_for(lambda: retrying(sub_b, story_id, "published"), 15, what="B's published failed")
    other = release(solo, cleared_story(section=section))
    wait_for(
        lambda: retrying(sub_b, other.story_id, "published"), 15, what="B's other story failed"
    )
    solo.receiver.plans[path_a] = [later]  # A goes down too
    _send(solo, _flag(snapshot, snapshot.claims[0].claim_id))
    wait_for(lambda: retrying(sub_a, story_id, "needs_correction"), 30, what="A's flag failed")
    wait_for(lambda: of(sub_b, story_id, "needs_correction"), 15, what="B's flag waiting")

    with solo.client("editor") as editor:
        answer = editor.post(f"/v1/stories/{story_id}/retract", json={"reason": "Wrong town."})
        assert answer.status_code == 200, answer.text

    # The receivers answer 200 from now on: each gets the retraction, B the other story.
    def delivered(subscription_id: str, story: str, event: str) -> dict[str, Any] | None:
        found = of(subscription_id, story, event)
        return found if found and found["status"] == "delivered" else None

    wait_for(lambda: delivered(sub_a, story_id, "retracted"), 15, what="A's retraction")
    wait_for(lambda: delivered(sub_b, story_id, "retracted"), 15, what="B's retraction")
    wait_for(lambda: delivered(sub_b, other.story_id, "published"), 20, what="B's other story")

    def story_events(path: str) -> list[str]:
        return [
            r.headers["newsroom-event"]
            for r in solo.receiver.at(path)
            if r.json["data"]["story_id"] == story_id
        ]

    # A's published was answered 200 before the failure, the failed attempts 503: the
    # text was taken once, before the retraction, and never sent again after it.
    assert story_events(path_a) == ["published", "needs_correction", "retracted"]
    assert story_events(path_b) == ["published", "retracted"]
    notices = [
        r.body.lower()
        for path in (path_a, path_b)
        for r in solo.receiver.at(path)
        if r.json["data"]["story_id"] == story_id and r.json["data"]["action"] == "retracted"
    ]
    assert len(notices) == 2
    assert all(b"cut potholes" not in body for body in notices)

    for subscription_id, stopped in (
        (sub_a, ["needs_correction"]),
        (sub_b, ["published", "needs_correction"]),
    ):
        retraction = delivered(subscription_id, story_id, "retracted")
        assert retraction is not None
        for event in stopped:
            found = of(subscription_id, story_id, event)
            assert found is not None
            assert (found["status"], found["reason"]) == ("superseded", "retracted"), found
            assert found["superseded_by"] == retraction["release_id"]
            assert found["next_attempt_at"] is None
            assert found["finished_at"] is not None
    assert delivered(sub_a, story_id, "published") is not None  # before the retraction
    assert _delivery_counts(solo)["superseded"] >= counted + 3
