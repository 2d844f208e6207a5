"""Subscriptions and deliveries in publish's database.

Deliveries are rows, so they survive a restart of publish; a worker claims due ones with
a short lease (``lease_until``) so two replicas never send the same attempt at once.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from mongoengine import (
    DateTimeField,
    DictField,
    Document,
    IntField,
    ListField,
    StringField,
)
from pymongo import ASCENDING, DESCENDING
from pymongo.client_session import ClientSession

from publish.store import ALIAS, from_doc, to_doc
from publish.webhooks.model import Attempt, Delivery, DeliveryStatus, Subscription
from services import store


class SubscriptionDoc(Document):
    subscription_id = StringField(primary_key=True)
    url = StringField(required=True)
    events = ListField(StringField())
    sections = ListField(StringField())
    created_by = StringField(required=True)
    created_at = DateTimeField(required=True)
    deleted_at = DateTimeField()

    meta = {
        "db_alias": ALIAS,
        "collection": "subscriptions",
        "strict": False,
        "indexes": ["deleted_at"],
    }


class DeliveryDoc(Document):
    delivery_id = StringField(primary_key=True)
    subscription_id = StringField(required=True)
    release_id = StringField(required=True)
    story_id = StringField(required=True)
    event = StringField(required=True)
    status = StringField(required=True)
    attempts = IntField(default=0)
    next_attempt_at = DateTimeField(required=True)
    lease_until = DateTimeField()
    created_at = DateTimeField(required=True)
    log = ListField(DictField())

    meta = {
        "db_alias": ALIAS,
        "collection": "deliveries",
        "strict": False,
        "indexes": [
            # One delivery per subscriber per release, however often fan-out is retried.
            {"fields": ["subscription_id", "release_id"], "unique": True},
            ("status", "next_attempt_at"),
            ("subscription_id", "-created_at"),
            # An older pending delivery of the same story to the same subscriber goes first.
            ("story_id", "subscription_id", "created_at"),
        ],
    }


DOCUMENTS = (SubscriptionDoc, DeliveryDoc)


# --- subscriptions ------------------------------------------------------------------------


def add_subscription(subscription: Subscription) -> None:
    doc = to_doc(subscription, "subscription_id")
    doc["deleted_at"] = None
    SubscriptionDoc._get_collection().insert_one(doc)


def get_subscription(subscription_id: str) -> Subscription | None:
    raw = SubscriptionDoc._get_collection().find_one({"_id": subscription_id, "deleted_at": None})
    return from_doc(Subscription, raw, "subscription_id") if raw else None


def subscriptions_page(after: tuple[datetime, str] | None, limit: int) -> list[Subscription]:
    """Up to ``limit`` live subscriptions, oldest first, after the ``(created_at, id)`` of
    the last one seen (``store.keyset_page``: no top-level ``$or``, which makes the store
    read every subscription)."""
    order = [("created_at", ASCENDING), ("_id", ASCENDING)]

    def read(query: dict[str, Any], n: int) -> list[Subscription]:
        found = SubscriptionDoc._get_collection().find(query).sort(order).limit(n)
        return [from_doc(Subscription, raw, "subscription_id") for raw in found]

    return store.keyset_page(
        read, {"deleted_at": None}, ("created_at", "_id"), after, limit, descending=False
    )


def delete_subscription(subscription_id: str, now: datetime) -> bool:
    result = SubscriptionDoc._get_collection().update_one(
        {"_id": subscription_id, "deleted_at": None}, {"$set": {"deleted_at": now}}
    )
    if result.modified_count:
        deliveries = DeliveryDoc._get_collection()
        pending = {"subscription_id": subscription_id, "status": DeliveryStatus.PENDING.value}
        # one update per delivery: see update_each (a store lock a transaction can wait on)
        store.update_each(
            deliveries,
            [d["_id"] for d in deliveries.find(pending, {"_id": 1})],
            {"$set": {"status": DeliveryStatus.CANCELED.value, "finished_at": now}},
            where=pending,
        )
    return bool(result.modified_count)


def matching_subscriptions(
    sections: list[str], event: str, session: ClientSession | None = None
) -> list[Subscription]:
    """Live subscriptions to ``event`` in any of ``sections`` (or in every section)."""
    query = {
        "deleted_at": None,
        "events": event,
        "$or": [{"sections": {"$in": sections}}, {"sections": {"$size": 0}}],
    }
    cursor = SubscriptionDoc._get_collection().find(query, session=session)
    return [from_doc(Subscription, raw, "subscription_id") for raw in cursor]


# --- deliveries ---------------------------------------------------------------------------


def add_deliveries(deliveries: list[Delivery], session: ClientSession | None = None) -> None:
    if deliveries:
        docs = [to_doc(d, "delivery_id") for d in deliveries]
        DeliveryDoc._get_collection().insert_many(docs, session=session)


def claim_due(
    now: datetime, lease: timedelta, limit: int, skip: Collection[str] = ()
) -> list[Delivery]:
    """Take up to ``limit`` due deliveries for this worker, each leased for ``lease``; none
    of the subscriptions in ``skip``. A delivery with an older one of its story to its
    subscriber still pending waits for it (:func:`_wait_for_older`)."""
    collection = DeliveryDoc._get_collection()
    claimed: list[Delivery] = []
    query: dict[str, Any] = {
        "status": DeliveryStatus.PENDING.value,
        "next_attempt_at": {"$lte": now},
        # Unleased (null or absent) or leased out of time, without a top-level $or.
        "lease_until": {"$not": {"$gt": now}},
    }
    if skip:
        query["subscription_id"] = {"$nin": list(skip)}
    for _ in range(limit + MAX_WAITING_PER_PASS):
        if len(claimed) >= limit:
            break
        raw = store.update_and_read(
            collection,
            query,
            {"$set": {"lease_until": now + lease}},
            sort=[("next_attempt_at", ASCENDING)],
        )
        if raw is None:
            break
        found = from_doc(Delivery, raw, "delivery_id")
        if not _wait_for_older(found, now):
            claimed.append(found)
    return claimed


# Deliveries put back in one pass behind older ones before the pass gives up.
MAX_WAITING_PER_PASS = 20
# How soon a delivery waiting behind one under way (or due now) looks again.
WAIT_BEHIND = timedelta(seconds=0.5)


def _wait_for_older(delivery: Delivery, now: datetime) -> bool:
    """Put ``delivery`` back, unleased, due when the oldest pending delivery of its story
    to its subscriber is next tried (or soon, if that one is under way); False when there
    is none and it may go. A site applies events in the order they come: a correction
    sent before the release it corrects would leave the old text."""
    collection = DeliveryDoc._get_collection()
    older = collection.find_one(
        {
            "story_id": delivery.story_id,
            "subscription_id": delivery.subscription_id,
            "created_at": {"$lt": delivery.created_at},
            "status": DeliveryStatus.PENDING.value,
        },
        {"next_attempt_at": 1},
        sort=[("created_at", ASCENDING)],
    )
    if older is None:
        return False
    after: datetime = older["next_attempt_at"]
    if after.tzinfo is None:
        after = after.replace(tzinfo=now.tzinfo)
    collection.update_one(
        {"_id": delivery.delivery_id, "status": DeliveryStatus.PENDING.value},
        {"$set": {"next_attempt_at": max(after, now + WAIT_BEHIND), "lease_until": None}},
    )
    return True


def record_attempt(
    delivery_id: str,
    attempt: Attempt,
    status: DeliveryStatus,
    next_attempt_at: datetime | None,
) -> None:
    changes: dict[str, Any] = {"status": status.value, "lease_until": None}
    if next_attempt_at is not None:
        changes["next_attempt_at"] = next_attempt_at
    if status != DeliveryStatus.PENDING:
        changes["finished_at"] = attempt.at
    logged = {"$inc": {"attempts": 1}, "$push": {"log": attempt.model_dump(mode="json")}}
    collection = DeliveryDoc._get_collection()
    # Still pending: the attempt decides what comes next. Canceled meanwhile (its
    # subscription deleted while the attempt was under way): the attempt is logged and the
    # delivery stays canceled, never to be sent again.
    pending = {"_id": delivery_id, "status": DeliveryStatus.PENDING.value}
    if not collection.update_one(pending, {"$set": changes, **logged}).matched_count:
        collection.update_one({"_id": delivery_id}, {"$set": {"lease_until": None}, **logged})


def requeue(subscription_id: str, delivery_id: str, now: datetime) -> Delivery | None:
    """A finished (failed or delivered) delivery made due again, with a fresh budget of
    attempts; None when there is no such finished delivery of that subscription."""
    collection = DeliveryDoc._get_collection()
    current = collection.find_one({"_id": delivery_id, "subscription_id": subscription_id})
    if current is None:
        return None
    raw = store.update_and_read(
        collection,
        {
            "_id": delivery_id,
            "status": {"$in": [DeliveryStatus.FAILED.value, DeliveryStatus.DELIVERED.value]},
            "withdrawn": {"$ne": True},
        },
        {
            "$set": {
                "status": DeliveryStatus.PENDING.value,
                "next_attempt_at": now,
                "finished_at": None,
                "lease_until": None,
                "round_start": int(current.get("attempts", 0)),
            }
        },
    )
    return from_doc(Delivery, raw, "delivery_id") if raw is not None else None


def withdraw(session: ClientSession, story_id: str, now: datetime, retraction_id: str) -> int:
    """In the retraction ``retraction_id``'s transaction: every delivery of ``story_id``
    made before it (none of them a retraction) carries the withdrawn text, so none may be
    sent again (``withdrawn``), and one still pending (waiting to be retried, or behind an
    older one) is not sent at all: superseded, so a crash after the retraction cannot
    leave it due. Answers how many were superseded.

    Both filters name the story by equality (the index ``(story_id, subscription_id,
    created_at)``); multi-document updates, so in a transaction only (DEVELOPERS.md)."""
    collection = DeliveryDoc._get_collection()
    made_before = {"story_id": story_id, "event": {"$ne": "retracted"}}
    superseded = collection.update_many(
        {**made_before, "status": DeliveryStatus.PENDING.value},
        {
            "$set": {
                "status": DeliveryStatus.SUPERSEDED.value,
                "reason": "retracted",
                "superseded_by": retraction_id,
                "finished_at": now,
                "lease_until": None,
                "withdrawn": True,
            }
        },
        session=session,
    ).modified_count
    collection.update_many(made_before, {"$set": {"withdrawn": True}}, session=session)
    return int(superseded)


def delivery(subscription_id: str, delivery_id: str) -> Delivery | None:
    raw = DeliveryDoc._get_collection().find_one(
        {"_id": delivery_id, "subscription_id": subscription_id}
    )
    return from_doc(Delivery, raw, "delivery_id") if raw is not None else None


def deliveries_of(subscription_id: str, limit: int) -> list[Delivery]:
    cursor = (
        DeliveryDoc._get_collection()
        .find({"subscription_id": subscription_id})
        .sort([("created_at", DESCENDING), ("_id", DESCENDING)])
        .limit(limit)
    )
    return [from_doc(Delivery, raw, "delivery_id") for raw in cursor]
