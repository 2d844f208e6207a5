"""What a production cluster needs of the topics the services make, and of the producer:
replication and min.insync.replicas from one setting, DLQ records kept past the broker's
default retention, and the idempotent producer as an opt-in for Apache Kafka. The specs
are checked as the services send them; the embedded broker takes them all."""

from __future__ import annotations

import json

from services.bus import EventProducer, TopicAdmin, topic_names
from services.bus.admin import new_topic
from services.bus.producer import Outgoing
from services.contracts import Topic
from tests.support.infra import Infra
from tests.support.kafka import read_topic


def test_topics_take_their_replication_and_min_insync_replicas_from_one_setting(
    infra: Infra,
) -> None:
    one = new_topic(infra.settings(), "reports.submitted")
    assert (one.replication_factor, one.topic_configs) == (1, {"min.insync.replicas": "1"})
    three = new_topic(infra.settings(topic_replication_factor=3, topic_partitions=6), "x")
    assert (three.num_partitions, three.replication_factor) == (6, 3)
    # acks=all then waits for two copies, and one broker may be away.
    assert three.topic_configs == {"min.insync.replicas": "2"}


def test_a_dlq_keeps_its_records_past_the_brokers_default_retention(infra: Infra) -> None:
    dlq = new_topic(infra.settings(), "reports.submitted.dlq")
    assert dlq.num_partitions == 1
    assert int(dlq.topic_configs["retention.ms"]) == 90 * 24 * 3600 * 1000
    forever = new_topic(infra.settings(dlq_retention_days=0), "reports.submitted.dlq")
    assert forever.topic_configs["retention.ms"] == "-1"
    assert "retention.ms" not in new_topic(infra.settings(), "reports.submitted").topic_configs


def test_the_idempotent_producer_is_an_opt_in_that_sends(infra: Infra) -> None:
    settings = infra.settings(kafka_idempotence=True)
    admin = TopicAdmin(settings)
    producer = EventProducer(settings, "/newsroom/test", admin)
    try:
        # Every topic and DLQ with its configs, as a service makes them at start-up.
        assert sorted(admin.ensure(topic_names(settings))) == sorted(topic_names(settings))
        topic = settings.topic(Topic.REPORTS_SUBMITTED.value)
        value = json.dumps({"n": 1}).encode()
        assert producer.send_all([Outgoing(topic, "s_1", value, [])]) == [True]
        assert producer._client().config["enable_idempotence"] is True
        assert read_topic(settings.kafka_bootstrap, topic, until=lambda rs: len(rs) == 1)
    finally:
        producer.close()
        admin.close()
    default = EventProducer(infra.settings(), "/newsroom/test", TopicAdmin(infra.settings()))
    try:
        assert default._client().config["enable_idempotence"] is False
    finally:
        default.close()
