"""Users and API tokens, in the shared auth database (alias ``auth``).

Every service reads it to authenticate requests; only the ``newsroom users`` command and
the admin endpoints write it. A token is stored as the SHA-256 of its secret: tokens are
256-bit random values, so a slow password hash would add nothing but latency.
"""

from __future__ import annotations

from mongoengine import DateTimeField, Document, StringField

ALIAS = "auth"


class User(Document):
    user_id = StringField(primary_key=True)
    name = StringField(required=True, unique=True, max_length=100)
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

    meta = {"db_alias": ALIAS, "collection": "tokens", "indexes": ["user_id"]}


DOCUMENTS = (User, ApiToken)
