"""Webhook subscriptions: register, list, delete, and read their deliveries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from publish.deps import PublishDep
from publish.webhooks import service
from publish.webhooks.model import Delivery, DeliveryStatus, Subscription
from publish.webhooks.schemas import (
    AttemptOut,
    DeliveryList,
    DeliveryOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionList,
    SubscriptionOut,
)
from services.auth import Principal, Role
from services.http import require
from services.http.deps import PageCursor, PageLimit
from services.settings import Settings

router = APIRouter(prefix="/v1/subscriptions", tags=["webhooks"])

Manager = Annotated[Principal, Depends(require(Role.EDITOR, Role.ADMIN))]
_PROBLEMS: dict[int | str, dict[str, str]] = {
    401: {"description": "No or bad token"},
    403: {"description": "Role not allowed"},
}


def _out(subscription: Subscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=subscription.subscription_id,
        url=subscription.url,
        events=subscription.events,
        sections=subscription.sections,
        created_by=subscription.created_by,
        created_at=subscription.created_at,
    )


@router.post(
    "",
    status_code=201,
    response_model=SubscriptionCreated,
    responses={**_PROBLEMS, 503: {"description": "Signing key not configured"}},
)
def subscribe(body: SubscriptionIn, principal: Manager, ctx: PublishDep) -> SubscriptionCreated:
    """Register a webhook. The answer carries the signing secret once; it is derived
    from the server's key, never stored, and cannot be read again."""
    settings: Settings = ctx.settings
    key = settings.webhook_master_key
    created = service.subscribe(
        url=body.url,
        events=body.events,
        sections=body.sections,
        known_sections=settings.sections,
        created_by=principal.name,
        master_key=key.get_secret_value() if key else None,
        now=ctx.desk.now(),
        allow_private=settings.webhook_allow_private_targets,
    )
    return SubscriptionCreated(**_out(created.subscription).model_dump(), secret=created.secret)


@router.get(
    "",
    response_model=SubscriptionList,
    summary="Live subscriptions, oldest first, in cursor pages",
    responses={**_PROBLEMS, 400: {"description": "A cursor this listing did not give out"}},
)
def list_subscriptions(
    _: Manager,
    cursor: PageCursor = None,
    limit: PageLimit = 50,
) -> SubscriptionList:
    found, next_cursor = service.subscriptions_page(cursor, limit)
    return SubscriptionList(items=[_out(s) for s in found], next_cursor=next_cursor)


@router.get("/{subscription_id}", response_model=SubscriptionOut, responses=_PROBLEMS)
def get_subscription(subscription_id: str, _: Manager) -> SubscriptionOut:
    return _out(service.get(subscription_id))


@router.delete("/{subscription_id}", status_code=204, responses=_PROBLEMS)
def delete_subscription(subscription_id: str, _: Manager, ctx: PublishDep) -> Response:
    """Stop deliveries: pending ones are cancelled."""
    service.unsubscribe(subscription_id, ctx.desk.now())
    return Response(status_code=204)


def _delivery_out(delivery: Delivery) -> DeliveryOut:
    pending = delivery.status == DeliveryStatus.PENDING
    return DeliveryOut(
        id=delivery.delivery_id,
        event=delivery.event,
        story_id=delivery.story_id,
        release_id=delivery.release_id,
        status=delivery.status.value,
        reason=delivery.reason,
        superseded_by=delivery.superseded_by,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at if pending else None,
        created_at=delivery.created_at,
        finished_at=delivery.finished_at,
        log=[AttemptOut.model_validate(a.model_dump()) for a in delivery.log],
    )


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=DeliveryOut,
    responses={
        **_PROBLEMS,
        404: {"description": "No such subscription or delivery"},
        409: {
            "description": "The delivery is still pending or was canceled, or was made "
            "before its story was retracted (it carries the withdrawn text)"
        },
    },
)
def redeliver(subscription_id: str, delivery_id: str, _: Manager, ctx: PublishDep) -> DeliveryOut:
    """Send a failed, given-up or delivered delivery again: the same CloudEvent (same
    ``id``), signed afresh, with a new budget of attempts. Queued at once (202). Not a
    delivery made before its story was retracted (409): only the retraction's."""
    again = service.redeliver(subscription_id, delivery_id, ctx.desk.now())
    ctx.wake_deliveries()
    return _delivery_out(again)


@router.get("/{subscription_id}/deliveries", response_model=DeliveryList, responses=_PROBLEMS)
def deliveries(
    subscription_id: str,
    _: Manager,
    limit: PageLimit = 50,
) -> DeliveryList:
    """Latest deliveries first, each with every attempt made."""
    return DeliveryList(
        items=[_delivery_out(d) for d in service.deliveries(subscription_id, limit)]
    )
