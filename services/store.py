"""The store: one mongoengine connection alias per owner database, indexes ensured at start.

Each service owns its database (``<db_prefix>_ingest`` ...) and its documents name the
alias in ``meta = {"db_alias": ...}``. mongoengine 0.29 has no session support, so
multi-document transactions go through pymongo on ``Document._get_collection()`` with
the session :func:`transaction` yields. SecantusDB runs as a single-node replica set,
which transactions need, and does not deduplicate retried writes: callers stay
idempotent on their own keys.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import mongoengine
from pymongo import MongoClient, UpdateOne
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.errors import (
    AutoReconnect,
    ConnectionFailure,
    NetworkTimeout,
    NotPrimaryError,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
)

from services.errors import Busy
from services.settings import Settings

T = TypeVar("T")
# What a transaction's function receives and hands to the repository functions it calls.
# Named here so that a rules module can annotate it without importing the driver.
Session = ClientSession

INDEX_NOT_FOUND = 27
STORE_UNAVAILABLE: tuple[type[PyMongoError], ...] = (
    AutoReconnect,
    ConnectionFailure,
    NetworkTimeout,
    NotPrimaryError,
    ServerSelectionTimeoutError,
)


def connect_store(settings: Settings, alias: str, owner: str | None = None) -> None:
    """Register ``alias`` for the ``owner`` database (defaults to the alias).

    Idempotent: several services in one process (as in the tests) share the auth alias.
    """
    db = settings.database(owner or alias)
    known = mongoengine.connection._connection_settings.get(alias)
    if known and known.get("name") == db and settings.mongo_url in str(known.get("host")):
        return
    mongoengine.connection.disconnect(alias)
    mongoengine.register_connection(
        alias=alias,
        db=db,
        host=settings.mongo_url,
        serverSelectionTimeoutMS=settings.store_timeout_ms,
        connectTimeoutMS=settings.store_timeout_ms,
        socketTimeoutMS=max(settings.store_timeout_ms * 4, 10_000),
        tz_aware=True,
        uuidRepresentation="standard",
        # No retryable writes: for each one SecantusDB (0.7, transactions.py
        # ``_prune_retryable_locked``) keeps the reply for 30 min, up to 10,000, and scans
        # them all twice per write: 11-12% of the store's CPU under ingest's load (``make
        # bench``). Every write here is idempotent on its own keys, a store that does not
        # answer is already a 503 or a retried message, and a transaction's commit is
        # retried by the driver whatever this says.
        retryWrites=False,
    )


def disconnect_store(alias: str) -> None:
    mongoengine.connection.disconnect(alias)


def client(alias: str) -> MongoClient[Any]:
    connection: MongoClient[Any] = mongoengine.get_connection(alias)
    return connection


def ensure_indexes(documents: Iterable[type[mongoengine.Document]]) -> None:
    """mongoengine builds indexes lazily; build them at start-up instead, once the ones a
    document retired are dropped (:func:`retire_indexes`): first, since an index changed
    in place (verify's claims' bands, sparse now) cannot be built beside its old form."""
    for document in documents:
        retire_indexes(document)
        document.ensure_indexes()


def retire_indexes(document: type[mongoengine.Document]) -> list[str]:
    """Drop the indexes an older version of ``document`` built and it no longer declares
    (by name, its ``retired_indexes``): mongoengine only ever adds indexes, and the store
    writes an entry in each of them on every insert and update. Answers those dropped."""
    names = tuple(getattr(document, "retired_indexes", ()))
    if not names:
        return []
    collection = document._get_collection()
    present = set(collection.index_information())
    dropped = [name for name in names if name in present]
    for name in dropped:
        try:
            collection.drop_index(name)
        except OperationFailure as exc:
            if exc.code != INDEX_NOT_FOUND:  # another replica starting dropped it first
                raise
    return dropped


def ping(alias: str) -> bool:
    try:
        client(alias).admin.command("ping")
    except Exception:
        return False
    return True


def is_store_unavailable(exc: BaseException) -> bool:
    """The store cannot do this now (unreachable, or too busy with conflicting writes):
    an HTTP edge answers 503 with Retry-After, a consumer retries the message."""
    return isinstance(exc, (*STORE_UNAVAILABLE, Busy))


# Write conflicts between concurrent changes of one document are retried this long.
CONFLICT_RETRY_SECONDS = 10.0


def transaction(
    alias: str, work: Callable[[Session], T], conflict_seconds: float = CONFLICT_RETRY_SECONDS
) -> T:
    """Run ``work(session)`` in one multi-document transaction; run it again after a
    write conflict.

    Not pymongo's ``with_transaction``: it also retries a store that does not answer, for
    120 s, which would hold a request (or a consumer, past its poll interval) that long.
    Here an unreachable store fails at once (the HTTP edge answers 503, a consumer
    retries the message), and only transient conflicts are retried, with jittered backoff.
    A conflict that outlasts ``conflict_seconds`` raises :class:`Busy` (503 with
    Retry-After, never a 500): the transaction was aborted, so nothing changed.
    """
    started = time.monotonic()
    with client(alias).start_session() as session:
        attempt = 0
        while True:
            try:
                with session.start_transaction():
                    result = work(session)
                return result
            except PyMongoError as exc:
                conflict = exc.has_error_label("TransientTransactionError")
                if is_store_unavailable(exc) or not conflict:
                    raise
                if time.monotonic() - started > conflict_seconds:
                    raise Busy(
                        "Other changes of the same thing kept conflicting with this one; "
                        "nothing was changed. Retry shortly."
                    ) from exc
                attempt += 1
                time.sleep(random.uniform(0, min(0.005 * 2**attempt, 0.2)))  # noqa: S311


def update_each(
    collection: Collection[Any],
    ids: Iterable[Any],
    update: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    where: Mapping[str, Any] | None = None,
) -> int:
    """``update_many({"_id": {"$in": ids}, **where}, update)`` outside a transaction, as
    one command of single-document updates; answers how many matched.

    SecantusDB (0.7.0b3, ``storage.py`` ``_update_matching_chunked``) runs a
    multi-document update outside a transaction in chunks, holding the collection's lock
    across them and retrying a chunk's write conflict without end. A transaction that
    wrote one of those documents and then needs the collection for its next statement
    waits for that lock while holding its own; its abort waits on it too, so neither can
    ever finish and the store stops answering for that collection (an outbox claim racing
    a story's transaction stopped `make test` this way). A single-document update lets go
    of the lock between its retries, so the transaction finishes and the update follows.
    """
    operations = [UpdateOne({"_id": key, **(where or {})}, update) for key in ids]
    if not operations:
        return 0
    return collection.bulk_write(operations, ordered=False).matched_count


# Re-picks of update_and_read when the matched document changed between its read and its
# write (outside a transaction; inside one, the change is a write conflict instead).
UPDATE_AND_READ_ATTEMPTS = 10


def update_and_read(
    collection: Collection[dict[str, Any]],
    query: Mapping[str, Any],
    update: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    session: ClientSession | None = None,
    upsert: bool = False,
    sort: Sequence[tuple[str, int]] | None = None,
    projection: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """``find_one_and_update(..., return_document=AFTER)`` without the store's
    findAndModify: the first document ``query`` matches (in ``sort`` order), updated, as it
    is after the update; None when nothing matches (and ``upsert`` is off).

    SecantusDB writes a findAndModify with the filter ``{_id, $and: [query]}``, and its
    write path serves no filter with a top-level ``$`` key from an index (secantus
    ``commands.py`` ``_find_and_modify_impl``, ``storage.py`` ``_try_index_id_keys``): every
    call read the whole collection, 250 ms at 4,000 stories of 3 kB and growing with them.
    Here the document is found by ``query`` (its indexes), written by its ``_id`` with
    ``query`` asserted again (a document changed in between is missed, then picked again,
    as findAndModify does), and read back by ``_id``. So ``query`` must have no top-level
    operator (``$or``, ``$and``): the write would scan again.
    """
    if any(key.startswith("$") for key in query):
        raise ValueError(f"update_and_read: a top-level operator makes the store scan: {query}")
    for _ in range(UPDATE_AND_READ_ATTEMPTS):
        found = collection.find_one(query, {"_id": 1}, sort=sort, session=session)
        if found is not None:
            key = found["_id"]
            if collection.update_one({**query, "_id": key}, update, session=session).matched_count:
                return collection.find_one({"_id": key}, projection, session=session)
            continue
        if not upsert:
            return None
        created = collection.update_one(query, update, upsert=True, session=session)
        if created.upserted_id is not None:
            return collection.find_one({"_id": created.upserted_id}, projection, session=session)
        # Another writer created it in between, and this update went to that document.
        return collection.find_one(query, projection, sort=sort, session=session)
    return None


def keyset_page(
    read: Callable[[dict[str, Any], int], list[T]],
    match: Mapping[str, Any],
    order: tuple[str, str],
    after: tuple[Any, Any] | None,
    limit: int,
    *,
    descending: bool,
) -> list[T]:
    """A page of the documents ``match`` selects in ``order`` (a sort key, then a unique
    tie-breaker), strictly after ``after`` (the last item's pair), without a top-level
    ``$or``: SecantusDB reads the whole collection for one, whatever the indexes.

    Two ranges instead, each a filter an index whose fields are ``match``'s equalities,
    then ``order``'s two fields, answers exactly: the rest of the cursor's own sort key
    (a greater tie-breaker), then the sort keys beyond it, as many as the page still
    needs. ``read(filter, n)`` sends one filter, sorted by ``order`` in the direction
    given and limited to ``n`` (``limit`` is at least 1). The store decodes every
    document of a range before it limits, so a later page still costs the rest of its
    listing, but no longer every document of the collection."""
    key, tie = order
    if key in match or tie in match:
        raise ValueError(f"keyset_page: {order} are the cursor's, not match's: {match}")
    if after is None:
        return read(dict(match), limit)
    at, last = after
    beyond = "$lt" if descending else "$gt"
    # The sort key first: where no index holds all of a filter, the store answers it from
    # its first clause that has one, and this is the narrowest.
    page = read({key: at, **match, tie: {beyond: last}}, limit)
    if len(page) < limit:
        page += read({key: {beyond: at}, **match}, limit - len(page))
    return page
