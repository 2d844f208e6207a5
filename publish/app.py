"""The publish service's app factory: routes, the ``stories.reviewed`` consumer, and the
background workers (catch-up from verify, outbox, webhook deliveries, feed version)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from publish.consumer import make_handler
from publish.deps import Publish
from publish.feeds import routes as feed_routes
from publish.feeds.cache import FeedCache
from publish.feeds.encoding import AcceptGzip
from publish.feeds.head import HeadAsGet
from publish.feeds.service import FeedSite
from publish.feeds.shortcut import FeedNotModified
from publish.pages import routes as page_routes
from publish.stories import repository as story_repository
from publish.stories import routes as story_routes
from publish.stories.service import Desk, Released
from publish.ui import install as install_desk
from publish.verify_client import VerifyClient
from publish.webhooks import repository as webhook_repository
from publish.webhooks import routes as webhook_routes
from publish.webhooks.contract import describe_webhooks
from publish.webhooks.worker import DeliveryWorker, count_superseded
from publish.workers import AutoRelease, CatchUp, FeedVersion, ReleaseRows
from services.bus import ConsumerLoop
from services.clock import utcnow
from services.contracts import Topic
from services.http import build_app
from services.outbox import OutboxWorker
from services.runtime import PeriodicWorker, Runtime
from services.settings import Settings

DOCUMENTS = (*story_repository.DOCUMENTS, *webhook_repository.DOCUMENTS)
OUTBOX_INTERVAL = 1.0
AUTO_RELEASE_INTERVAL = 5.0
DELIVERY_INTERVAL = 0.25
FEED_VERSION_INTERVAL = 1.0
GZIP_MINIMUM_BYTES = 1024

DESCRIPTION = """The attribution gate, releases, feeds for downstream sites, ninjs and
signed webhooks. A story is released only when every claim of that exact revision
passes the publish rule, as confirmed with verify at the moment of release."""


class _ClosingWorker(PeriodicWorker):
    """A periodic worker that also releases what its work holds (HTTP clients, pools)."""

    def __init__(self, name: str, interval: float, work: DeliveryWorker) -> None:
        super().__init__(name, interval, work)
        self._closable = work

    def stop(self, timeout: float = 15.0) -> None:
        super().stop(timeout)
        self._closable.close()


def create_app(settings: Settings) -> FastAPI:
    runtime = Runtime(settings, "publish", documents=DOCUMENTS)
    base_url = settings.public_url_of("publish")
    desk = Desk(
        base_url=base_url,
        now=utcnow,
        newsroom=settings.newsroom_name,
        language=settings.default_language,
    )
    verify = VerifyClient(settings)
    feeds = FeedCache()
    site = FeedSite(
        newsroom=settings.newsroom_name,
        base_url=base_url,
        sections=settings.sections,
        page_size=settings.feed_page_size,
        language=settings.default_language,
    )

    outbox = OutboxWorker(
        ReleaseRows(runtime.producer),
        runtime.producer,
        interval=OUTBOX_INTERVAL,
        stuck_after=settings.readiness_stall_seconds,
    )
    sender = DeliveryWorker(settings, utcnow)
    deliveries = _ClosingWorker("publish-webhooks", DELIVERY_INTERVAL, sender)
    sender.wake_with(deliveries.wake)  # a place came free: the next due delivery at once

    def released(outcome: Released) -> None:
        if outcome.action is None:
            return
        feeds.observe(outcome.publication.seq)
        count_superseded(outcome.superseded)
        outbox.wake()
        deliveries.wake()

    auto_release = PeriodicWorker(
        "publish-auto-release", AUTO_RELEASE_INTERVAL, AutoRelease(desk, verify, released)
    )
    runtime.add_worker(
        ConsumerLoop(
            settings=settings,
            topics=[Topic.STORIES_REVIEWED],
            group="publish",
            handler=make_handler(desk, verify, auto_release.wake, released),
            producer=runtime.producer,
            admin=runtime.admin,
            name="publish-consumer",
        )
    )
    runtime.add_worker(
        PeriodicWorker(
            "publish-catchup",
            settings.catchup_interval_seconds,
            CatchUp(desk, verify, settings.catchup_interval_seconds, auto_release.wake),
        )
    )
    runtime.add_worker(auto_release)
    runtime.add_worker(outbox)
    runtime.add_worker(deliveries)
    runtime.add_worker(
        PeriodicWorker("publish-feed-version", FEED_VERSION_INTERVAL, FeedVersion(feeds))
    )

    app = build_app(
        runtime,
        title="Newsroom publish",
        description=DESCRIPTION,
        routers=[
            story_routes.router,
            feed_routes.router,
            webhook_routes.router,
            page_routes.router,
        ],
    )
    app.state.publish = Publish(
        settings=settings,
        desk=desk,
        verify=verify,
        site=site,
        feeds=feeds,
        released=released,
        wake_deliveries=deliveries.wake,
    )
    install_desk(app, runtime)
    describe_webhooks(app)
    # Compressed when the client asks (Accept-Encoding), with Vary: Accept-Encoding;
    # small answers (a 304, a problem) are not worth it.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    # Outside it: Accept-Encoding read as RFC 9110 does (gzip;q=0 refuses gzip).
    app.add_middleware(AcceptGzip)
    app.add_middleware(HeadAsGet)
    # Outermost: a matching conditional feed request is answered before anything else.
    app.add_middleware(FeedNotModified, cache=feeds)
    return app
