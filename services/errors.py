"""The one error tree. Raise these from any layer; the HTTP edge renders them as RFC 9457
``application/problem+json`` and the consumer loop routes message errors.

::

    NewsroomError                    500  internal
    ├── BadRequest                   400  bad_request
    │   ├── ValidationFailed         422  validation        (+ errors: [{loc, msg}])
    │   └── PayloadTooLarge          413  payload_too_large
    ├── Unauthorized                 401  unauthorized      (+ WWW-Authenticate)
    ├── Forbidden                    403  forbidden
    │   ├── FormRefused              403  forbidden         (a console form's CSRF check)
    │   └── NotYours                 403  forbidden         (another's story or lease)
    ├── NotFound                     404  not_found
    ├── Conflict                     409  conflict
    │   ├── IdempotencyConflict      409  idempotency_conflict
    │   └── Held                     409  conflict          (+ Retry-After: until it is free)
    ├── PreconditionFailed           412  precondition_failed
    ├── PreconditionRequired         428  precondition_required
    ├── TooManyRequests              429  rate_limited      (+ Retry-After)
    └── Unavailable                  503  unavailable       (+ Retry-After)
        └── Busy                     503  busy              (+ Retry-After: write conflicts)

    MessageError                     a Kafka message could not be processed
    ├── InvalidMessage               never will be: it goes to the topic's DLQ with reason
    └── RetryableError               may be later (store down...): retried, not committed
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, ClassVar

PROBLEM_BASE = "urn:newsroom:problem:"


class NewsroomError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal"
    title: ClassVar[str] = "Internal error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra or {}
        self.headers = headers or {}

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


class BadRequest(NewsroomError):
    status = 400
    code = "bad_request"
    title = "Bad request"


class ValidationFailed(BadRequest):
    status = 422
    code = "validation"
    title = "The request is not valid"

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail, extra={"errors": errors or []})


class PayloadTooLarge(BadRequest):
    status = 413
    code = "payload_too_large"
    title = "Request body too large"


class RequestTimeout(BadRequest):
    status = 408
    code = "timeout"
    title = "Request Timeout"


class UnsupportedMediaType(BadRequest):
    status = 415
    code = "unsupported_media_type"
    title = "Unsupported media type"


class MethodNotAllowed(BadRequest):
    status = 405
    code = "method_not_allowed"
    title = "Method not allowed"


class Unauthorized(NewsroomError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="newsroom"'})


class Forbidden(NewsroomError):
    status = 403
    code = "forbidden"
    title = "Not allowed for your role"


class FormInvalid(NewsroomError):
    """A console form with a value the rules refuse: the page again, saying why."""

    status = 422
    code = "validation"
    title = "Not valid"


class FormRefused(Forbidden):
    """A console form whose CSRF token does not match the session: the page is stale or
    the form came from elsewhere, whatever the person's role."""

    title = "Form refused"


class NotYours(Forbidden):
    """The caller's role may do this, but not to this: another reporter's story, another
    reviewer's lease."""

    title = "Belongs to someone else"


class NotFound(NewsroomError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(NewsroomError):
    status = 409
    code = "conflict"
    title = "Conflict"


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    title = "Idempotency-Key reused with a different request"


class Held(Conflict):
    """Another holds the thing until ``until`` (a lease): the same request may succeed
    then, so ``Retry-After`` says when, in whole seconds rounded up, at least 1."""

    def __init__(
        self,
        detail: str,
        *,
        until: datetime | None,
        now: datetime,
        extra: dict[str, Any] | None = None,
    ) -> None:
        headers: dict[str, str] = {}
        if until is not None:
            seconds = max(1, math.ceil((until - now).total_seconds()))
            headers["Retry-After"] = str(seconds)
        super().__init__(detail, extra=extra, headers=headers)


class PreconditionFailed(NewsroomError):
    status = 412
    code = "precondition_failed"
    title = "The resource changed since you read it"


class PreconditionRequired(NewsroomError):
    status = 428
    code = "precondition_required"
    title = "If-Match header required"


class TooManyRequests(NewsroomError):
    status = 429
    code = "rate_limited"
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(
            detail, extra={"retry_after": retry_after}, headers={"Retry-After": str(retry_after)}
        )


class Unavailable(NewsroomError):
    status = 503
    code = "unavailable"
    title = "Temporarily unavailable"

    def __init__(self, detail: str, retry_after: int = 5) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class Busy(Unavailable):
    """Concurrent changes of one thing kept conflicting past the retry window: nothing
    was changed, and the same request may succeed in a moment."""

    code = "busy"
    title = "Busy with concurrent changes"

    def __init__(self, detail: str, retry_after: int = 1) -> None:
        super().__init__(detail, retry_after=retry_after)


class MessageError(Exception):
    """A Kafka message could not be processed."""


class InvalidMessage(MessageError):
    """The message can never be processed; it goes to the DLQ with ``reason``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class RetryableError(MessageError):
    """Processing may succeed later (a dependency is down); retry without committing."""
