"""Users, API tokens and console sessions, in the shared auth database (alias ``auth``).

Every service reads it to authenticate requests; only the ``newsroom users`` command, the
admin endpoints and the consoles' sign-in and sign-out write it. A token is stored as the
SHA-256 of its secret: tokens are 256-bit random values, so a slow password hash would
add nothing but latency. A console session is stored the same way (the SHA-256 of the
random id its sealed cookie carries).
"""

from __future__ import annotations

from mongoengine import DateTimeField, Document, StringField

ALIAS = "auth"


class User(Document):
    user_id = StringField(primary_key=True)
    name = StringField(required=True, unique=True, max_length=100)
    # NFC + casefold of the name: "Ada" and "ada" are one user. Sparse: users made before
    # the key existed get it before the next user is made (``service.backfill_name_keys``).
    name_key = StringField(unique=True, sparse=True, max_length=400)
    # What readers see in a byline ("Ana Ruiz"); the login name when unset.
    display_name = StringField(max_length=100)
    role = StringField(required=True)
    created_at = DateTimeField(required=True)
    revoked_at = DateTimeField()

    meta = {"db_alias": ALIAS, "collection": "users"}


class ApiToken(Document):
    token_id = StringField(primary_key=True)
    user_id = StringField(required=True)
    digest = StringField(required=True)
    created_at = DateTimeField(required=True)
    revoked_at = DateTimeField()
    # Who issued it: the admin's name (users API), or "(cli)" (the newsroom command).
    issued_by = StringField(max_length=120)

    meta = {"db_alias": ALIAS, "collection": "tokens", "indexes": ["user_id"]}


class ConsoleSession(Document):
    """A signed-in console session; signing out deletes it, and a cookie whose session
    is gone is signed out, wherever it is replayed."""

    session_digest = StringField(primary_key=True)
    user_id = StringField(required=True)
    console = StringField(required=True)
    created_at = DateTimeField(required=True)
    expires_at = DateTimeField(required=True)

    meta = {"db_alias": ALIAS, "collection": "console_sessions", "indexes": ["user_id"]}


DOCUMENTS = (User, ApiToken, ConsoleSession)
