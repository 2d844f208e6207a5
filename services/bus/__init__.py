"""The Kafka bus: topics, a producer that waits for acknowledgements, the consumer loop."""

from services.bus.admin import TopicAdmin, topic_names
from services.bus.consumer import ConsumerLoop, Handler, Received, event_context
from services.bus.producer import EventProducer, Outgoing, SendFailed, trace_id_from, traceparent

__all__ = [
    "ConsumerLoop",
    "EventProducer",
    "Handler",
    "Outgoing",
    "Received",
    "SendFailed",
    "TopicAdmin",
    "event_context",
    "topic_names",
    "trace_id_from",
    "traceparent",
]
