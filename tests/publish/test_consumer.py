"""The stories.reviewed consumer: poison goes to the DLQ with its reason, work goes on."""

from __future__ import annotations

from services.contracts import Topic, dlq_of
from tests.publish.builders import cleared_story
from tests.publish.conftest import Solo
from tests.support.kafka import header, raw_produce, read_topic


def test_poison_and_mislabelled_snapshots_go_to_the_dlq_and_the_next_is_applied(
    solo: Solo,
) -> None:
    topic = solo.settings.topic(Topic.STORIES_REVIEWED)
    snapshot = cleared_story()
    solo.verify.hidden.add(snapshot.story_id)  # only the event can bring it
    good = solo.producer.message(Topic.STORIES_REVIEWED, snapshot, key=snapshot.story_id)
    other = cleared_story()
    mislabelled = solo.producer.message(Topic.STORIES_REVIEWED, other, key=snapshot.story_id)
    key = snapshot.story_id.encode()
    raw_produce(
        solo.settings.kafka_bootstrap,
        topic,
        [b"{not json", mislabelled.value, good.value],
        key=key,
    )
    assert solo.gate(snapshot.story_id, 1)["publishable"] is True

    def mine(records: list) -> list:  # type: ignore[type-arg]
        return [r for r in records if r.key == key]

    dead = mine(
        read_topic(solo.settings.kafka_bootstrap, dlq_of(topic), lambda r: len(mine(r)) >= 2)
    )
    assert [header(r, "dlq.reason") for r in dead] == ["not_json", "key_mismatch"]
    with solo.client("editor") as editor:
        assert editor.get(f"/v1/stories/{other.story_id}/gate").status_code == 404
