"""What publish's routes share: the objects ``create_app`` wires once per process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from publish.feeds.cache import FeedCache
from publish.feeds.service import FeedSite
from publish.stories.service import Desk, Released
from publish.verify_client import VerifyClient
from services.settings import Settings


@dataclass
class Publish:
    settings: Settings
    desk: Desk
    verify: VerifyClient  # stories for the desk, and what an editor does in verify
    site: FeedSite
    feeds: FeedCache
    # Called after a release/correction/retraction commits: wake the outbox and webhook
    # workers, and let this process's feed cache know at once.
    released: Callable[[Released], None]
    # Wake the webhook worker (a redelivery is due now).
    wake_deliveries: Callable[[], None] = lambda: None


def get_publish(request: Request) -> Publish:
    publish: Publish = request.app.state.publish
    return publish


PublishDep = Annotated[Publish, Depends(get_publish)]
