"""The store's documents of a story, its revisions, its claims and their audit, with their
indexes (database ``<db_prefix>_verify``). Queries are in :mod:`verify.stories.repository`.

A story document holds its current revision's text (what snapshots show) and ``version``,
raised with ``$inc`` in the transaction of every change of the story or its claims.
The story is also its own outbox row (:mod:`services.outbox`): that same transaction
makes it due, and the snapshot outbox (:mod:`verify.outbox`) closes it once the event
of that exact version was acknowledged. ``outbox.full`` says whether anything but the
leases changed since the last whole snapshot went out.
"""

from __future__ import annotations

from mongoengine import (
    BooleanField,
    DateTimeField,
    DictField,
    Document,
    IntField,
    ListField,
    LongField,
    StringField,
)

from services import outbox as shared_outbox

ALIAS = "verify"


class Story(Document):
    story_id = StringField(required=True)
    version = IntField(required=True)
    revision = IntField(required=True)
    report_id = StringField(required=True)
    reporter_id = StringField(required=True)
    byline = StringField(required=True)
    headline = StringField(required=True)
    body = StringField(required=True)
    section = StringField(required=True)
    publish_when_cleared = BooleanField(required=True)
    # A BCP 47 tag; none (or null) from a report sent before reports had one.
    language = StringField()
    claims_over_limit = IntField(default=0)
    claims_confirmed_revision = IntField()
    checked_sentences = ListField(StringField())
    sentences_to_check = IntField(default=0)
    outbox = DictField()
    # Claims of an earlier revision are still open: the sweep closes them.
    sweep_pending = BooleanField()
    created_at = DateTimeField(required=True)
    updated_at = DateTimeField(required=True)

    meta = {
        "db_alias": ALIAS,
        "collection": "stories",
        "indexes": [
            {"fields": ["story_id"], "unique": True},
            # GET /v1/snapshots: oldest change first.
            {"fields": ["updated_at", "story_id"]},
            shared_outbox.INDEX,
            {"fields": ["sweep_pending"], "sparse": True},
        ],
    }


class Revision(Document):
    story_id = StringField(required=True)
    revision = IntField(required=True)
    report_id = StringField(required=True)
    reporter_id = StringField(required=True)
    byline = StringField(required=True)
    headline = StringField(required=True)
    body = StringField(required=True)
    section = StringField(required=True)
    publish_when_cleared = BooleanField(required=True)
    # A BCP 47 tag; none (or null) from a report sent before reports had one.
    language = StringField()
    accepted_at = DateTimeField(required=True)
    received_at = DateTimeField(required=True)
    claims = IntField(required=True)
    claims_over_limit = IntField(default=0)
    superseded = BooleanField(required=True)
    sentences_to_check = IntField(default=0)
    claims_confirmed_revision = IntField()

    meta = {
        "db_alias": ALIAS,
        "collection": "revisions",
        "indexes": [
            # Exactly once: a report seen twice cannot make a second revision.
            {"fields": ["report_id"], "unique": True},
            {"fields": ["story_id", "revision"], "unique": True},
        ],
    }


class Claim(Document):
    claim_id = StringField(required=True)
    story_id = StringField(required=True)
    revision = IntField(required=True)
    section = StringField(required=True)
    text = StringField(required=True)
    norm = StringField(required=True)
    start = IntField(required=True)
    end = IntField(required=True)
    context_start = IntField(required=True)
    context_end = IntField(required=True)
    contested = BooleanField(required=True)
    contest_signals = ListField(DictField())
    detected_attributions = ListField(DictField())
    checkable_reasons = ListField(StringField())
    declared_sources = ListField(StringField())
    origin = StringField(required=True)
    status = StringField(required=True)
    attributions = ListField(DictField())
    version = IntField(required=True)
    audit_seq = IntField(required=True)
    # Its "created" audit entry (seq 1), written with it: one document, not two.
    created_audit = DictField()
    open = BooleanField(required=True)
    closed_reason = StringField()
    lease_holder_id = StringField()
    lease_holder = StringField()
    lease_until = DateTimeField()
    reviewed_by = StringField()
    reviewed_at = DateTimeField()
    note = StringField()
    headline = BooleanField(default=False)
    hedges = ListField(DictField())
    queued_at = DateTimeField(required=True)
    created_at = DateTimeField(required=True)
    updated_at = DateTimeField(required=True)
    # Claim memory (verify.memory): the statement the claim makes, its LSH band keys, and
    # the claims a reviewer said are not the same claim.
    memory = DictField()
    memory_bands = ListField(LongField())
    memory_not_same = ListField(StringField())

    # Every index costs the store an entry per claim written (it writes each one itself,
    # and rewrites them all on every update), and a story's ~20 claims were most of what
    # storing it cost: only the indexes some query uses (see DEVELOPERS.md, Persistence).
    meta = {
        "db_alias": ALIAS,
        "collection": "claims",
        "indexes": [
            {"fields": ["claim_id"], "unique": True},
            # Claim memory's lookup: the claims that share a band with a statement. Sparse:
            # a claim has bands only once memory read it (a review), not when it is stored.
            {"fields": ["memory_bands"], "sparse": True, "name": "memory_bands_sparse"},
            # A story's open claims, of one revision or of those before it, and of one
            # revision by where they start (a long story's claims read in windows:
            # repository.claims.windows).
            {"fields": ["story_id", "open", "revision", "start"]},
            # The queue: open claims by status, and section; its first two fields serve the
            # queue of every section (the store sorts a page in memory either way).
            {"fields": ["open", "status", "section", "queued_at", "claim_id"]},
        ],
    }
    # Dropped at start-up (services.store.retire_indexes): the bands' index before it was
    # sparse, a story's claims by position (no query sorts by it), the queue of every
    # section (the queue's index above serves it), and a story's open claims by revision
    # (the index above, with start after them, serves the same queries).
    retired_indexes = (
        "memory_bands_1",
        "story_id_1_open_1_start_1",
        "open_1_status_1_queued_at_1_claim_id_1",
        "story_id_1_open_1_revision_1",
    )


class ClaimAudit(Document):
    claim_id = StringField(required=True)
    seq = IntField(required=True)
    story_id = StringField(required=True)
    version = IntField(required=True)
    at = DateTimeField(required=True)
    actor = DictField(required=True)
    action = StringField(required=True)
    detail = StringField()
    before = DictField()
    after = DictField()

    meta = {
        "db_alias": ALIAS,
        "collection": "claim_audit",
        # Unique: one entry per change; the claim's audit_seq numbers them.
        "indexes": [{"fields": ["claim_id", "seq"], "unique": True}],
    }


class ClaimListAudit(Document):
    """Each confirmation of a revision's claim list: who, when, what they saw."""

    story_id = StringField(required=True)
    revision = IntField(required=True)
    version = IntField(required=True)  # the story's version the confirmation made
    at = DateTimeField(required=True)
    actor = DictField(required=True)
    sentences = IntField(required=True)  # sentences in the revision
    uncovered = IntField(required=True)  # of them, inside no claim: seen and left so
    checked_before = IntField(required=True)  # of them, kept from an earlier confirmation

    meta = {
        "db_alias": ALIAS,
        "collection": "claim_list_audit",
        # Unique: a revision's claim list is confirmed once.
        "indexes": [{"fields": ["story_id", "revision"], "unique": True}],
    }


DOCUMENTS = (Story, Revision, Claim, ClaimAudit, ClaimListAudit)
