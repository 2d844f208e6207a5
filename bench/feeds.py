"""Feeds: requests per second for ``/feeds/all.json``, with and without ``If-None-Match``,
against a bare endpoint that answers the same bytes (and 304 on its ETag).

The feed is real: reports go through ingest and verify, a reviewer marks every claim
verified over verify's API, an editor publishes each story over publish's API.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import baseline, e2e, load, profile, stories
from bench.stack import BenchStack
from newsroom import stack as embedded

STORIES = 20
STORY_BYTES = 2048
CONNECTIONS = 16
WARMUP_SECONDS = 1.0
SECONDS = 5.0
PROFILE_SECONDS = 3.0


@dataclass(frozen=True)
class FeedRun:
    name: str
    feed: load.Result
    bare: load.Result
    bare_middleware: load.Result  # the bare endpoint behind the services' middleware

    @property
    def ratio(self) -> float:
        bare = self.bare.ok_per_second
        return self.feed.ok_per_second / bare if bare else 0.0


@dataclass(frozen=True)
class FeedFigure:
    items: int
    feed_bytes: int
    setup_s: float
    runs: list[FeedRun]
    profiles: list[profile.Profile]


def _retry(call: object, what: str, timeout: float = 120) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        answer: httpx.Response = call()  # type: ignore[operator]
        if answer.status_code < 300:
            return answer
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: {answer.status_code} {answer.text[:300]}")
        time.sleep(0.3)


def publish_stories(bench: BenchStack, seed: int) -> int:
    """Submit ``STORIES`` stories, mark every claim verified, confirm each claim list and
    publish them; answer how many made it (a story verify dead-letters never reaches its
    API, and is left out)."""
    ids = []
    for n in range(STORIES):
        report = stories.report(n, STORY_BYTES, seed)
        report["headline"] = f"Feed story {n}"
        report["section"] = ("world", "politics", "business", "science")[n % 4]
        token = bench.reporter_tokens[n % len(bench.reporter_tokens)]
        ids.append(e2e.submit(bench, report, token)["story_id"])
    reviewer = {"Authorization": f"Bearer {bench.tokens['reviewer']}"}
    editor = {"Authorization": f"Bearer {bench.tokens['editor']}"}
    verify = httpx.Client(base_url=bench.url("verify"), headers=reviewer, timeout=30)
    publish = httpx.Client(base_url=bench.url("publish"), headers=editor, timeout=30)
    published = 0
    with verify, publish:
        found = _stories_in_verify(verify, ids)
        for story in found:
            for claim in story["claims"]:
                verify.post(
                    f"/v1/claims/{claim['claim_id']}/review",
                    json={"status": "verified"},
                    headers={"If-Match": f'"{claim["version"]}"'},
                ).raise_for_status()
        for story in found:
            story_id = story["story_id"]
            # Rule 0 of the publish rule: a reviewer has confirmed the story's claim list.
            _retry(
                lambda s=story: verify.post(
                    f"/v1/stories/{s['story_id']}/claim-list/confirm",
                    json={"revision": s["revision"]},
                ),
                f"confirm the claim list of {story_id}",
                timeout=60,
            )
            _retry(
                lambda s=story_id: publish.post(f"/v1/stories/{s}/publish", json={}),
                f"publish {story_id}",
                timeout=60,
            )
            published += 1
    if not published:
        raise RuntimeError("no story reached verify: nothing to publish")
    return published


def _stories_in_verify(verify: httpx.Client, ids: list[str], timeout: float = 90) -> list[Any]:
    """The stories as verify has them, waiting (up to ``timeout`` for all) for each."""
    deadline = time.monotonic() + timeout
    found: dict[str, Any] = {}
    while len(found) < len(ids) and time.monotonic() < deadline:
        for story_id in ids:
            if story_id not in found:
                answer = verify.get(f"/v1/stories/{story_id}")
                if answer.status_code == 200:
                    found[story_id] = answer.json()
        time.sleep(0.5)
    return [found[i] for i in ids if i in found]


def run(bench: BenchStack, workdir: Path, seed: int) -> FeedFigure:
    started = time.monotonic()
    items = publish_stories(bench, seed)
    setup = time.monotonic() - started
    feed_url = f"{bench.url('publish')}/feeds/all.json"
    answer = httpx.get(feed_url, timeout=30)
    answer.raise_for_status()
    (workdir / "feed.json").write_bytes(answer.content)
    feed_file = str(workdir / "feed.json")
    bare_proc, bare_base = baseline.launch("feed", workdir / "bare-feed.log", feed_file)
    mw_proc, mw_base = baseline.launch("feed-mw", workdir / "bare-feed-mw.log", feed_file)
    targets = [(feed_url, answer.headers["etag"])]
    for base in (bare_base, mw_base):
        url = f"{base}/feeds/all.json"
        targets.append((url, httpx.get(url).headers["etag"]))
    script = load.done_script(workdir)
    runs = []
    profiles: list[profile.Profile] = []
    try:
        for name, conditional in (("200, whole feed", False), ("304, If-None-Match", True)):
            results = []
            for url, etag in targets:
                headers = {"If-None-Match": etag} if conditional else {}
                load.wrk(url, CONNECTIONS, WARMUP_SECONDS, script, headers)
                results.append(load.wrk(url, CONNECTIONS, SECONDS, script, headers))
                if conditional and url == feed_url:
                    # Profiled in a run of its own: py-spy's share of the CPU stays out of
                    # the measured one.
                    pids = {"publish": bench.pid("publish")}
                    label = "feeds, 304 (extra run)"
                    recording = profile.Recording(
                        pids, PROFILE_SECONDS, workdir / "profiles", label
                    )
                    load.wrk(url, CONNECTIONS, PROFILE_SECONDS, script, headers)
                    profiles = recording.finish()
            runs.append(FeedRun(name, *results))
            print(f"    {name}: {runs[-1].ratio:.2f} of bare", flush=True)
    finally:
        embedded.stop_process(bare_proc.pid)
        embedded.stop_process(mw_proc.pid)
    return FeedFigure(items, len(answer.content), setup, runs, profiles)
