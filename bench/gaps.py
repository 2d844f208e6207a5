"""Where each gap comes from: the run's own evidence (CPU use per phase, the profiles,
the detection figure, the feed's decomposition) put into words for ``results.md``.

What is stated here about the store's server was read in its source
(``secantus/storage.py``: one ``threading.RLock`` taken by every command) and is
confirmed by its profile in the same run (samples waiting on that lock).
"""

from __future__ import annotations

from bench.e2e import E2EFigure
from bench.gate import first_p
from bench.ingest import PHASE as INGEST_PHASE
from bench.profile import Profile
from bench.report import TARGETS, Results

# Frames in SecantusDB's server whose own time is spent acquiring its storage lock.
STORE_LOCK = ("Storage.get_profile", "Storage.get_collection_options")
WAITING_ON_STORE = ("NetworkingInterface.recv_into",)


def _profile(profiles: list[Profile], *names: str) -> Profile | None:
    return next((p for p in profiles if all(n in p.name for n in names)), None)


WAITS = ("Condition.wait", "recv_into", "EpollSelector.select", "Runner.run", "Event.wait")


def _own_work(p: Profile, top: int = 5) -> str:
    """The frames a process spends its samples in, waits left out."""
    busy = sorted(
        ((n, frame) for frame, n in p.spent.items() if not any(w in frame for w in WAITS)),
        reverse=True,
    )[:top]
    return ", ".join(f"`{frame.split(' (')[0]}` {100 * n / p.samples:.0f}%" for n, frame in busy)


def ingest_gap(r: Results) -> list[str]:
    if r.ingest is None or r.sampler is None:
        return []
    worst = min(r.ingest.levels, key=lambda lv: lv.ratio)
    top = r.ingest.levels[-1]
    store = r.sampler.cores(INGEST_PHASE, "store")
    ingest = r.sampler.cores(INGEST_PHASE, "ingest")
    rate = max(lv.ingest.ok_per_second for lv in r.ingest.levels)
    mean_rate = sum(lv.ingest.ok_per_second for lv in r.ingest.levels) / len(r.ingest.levels)
    store_ms = 1000 * store / mean_rate if mean_rate else 0.0
    ingest_ms = 1000 * ingest / mean_rate if mean_rate else 0.0
    budget = 2000 / top.bare.ok_per_second
    text = (
        f"**Ingest ({worst.ratio:.3f} of bare at worst; target {TARGETS['ingest']:.2f}).** "
        "The bare endpoint parses the body and answers. Ingest also authenticates, looks the "
        "Idempotency-Key up, applies the rate limit and stores the report before it answers "
        "202 (a report answered 202 is never lost), and its relay sends it on. During "
        f"ingest's levels ingest used {ingest:.2f} cores and the store {store:.2f}: about "
        f"{ingest_ms:.1f} ms of ingest's CPU and {store_ms:.1f} ms of the store's per accepted "
        f"report (best level: {rate:.0f}/s). Half the bare rate "
        f"(~{top.bare.ok_per_second / 2:,.0f}/s) leaves {budget:.2f} ms per report for all "
        "of that on one core each. The store (SecantusDB, a Python server whose storage "
        "layer takes one lock for every command) costs about 1 ms for a find and 2 for an "
        "insert here (measured apart), so any command on the request's path is several "
        "times the whole budget."
    )
    p_ingest = _profile(r.ingest.profiles, "ingest", ": ingest")
    p_store = _profile(r.ingest.profiles, "ingest", ": store")
    if p_ingest:
        waiting = p_ingest.share_in(*WAITS[:2])
        text += (
            f" Ingest's profile: {waiting:.0f}% of its samples wait (for the store's answer "
            f"or a worker's turn); its own work: {_own_work(p_ingest)}."
        )
    if p_store:
        text += (
            f" The store's profile: {p_store.share_in(*STORE_LOCK):.0f}% of its samples in "
            f"frames that wait for its storage lock (`{STORE_LOCK[0]}`, `{STORE_LOCK[1]}`)."
        )
    return [text, ""]


def _e2e_phase(fig: E2EFigure) -> str:
    """The sampler's name for the phase of ``fig`` (as bench/__main__.py names it)."""
    return f"end to end at {fig.rate:g}/s, {'one' if fig.consumers == 1 else 'two'} verify"


def e2e_gap(r: Results) -> list[str]:
    loaded = [f for f in r.e2e if f.rate >= 100]
    low = [f for f in r.e2e if f.rate < 100]
    if not loaded:
        return []
    rates = ", ".join(f"{f.verify_per_second:.0f}/s with {f.consumers}" for f in loaded)
    text = (
        f"**End to end (target p99 ≤ {TARGETS['e2e_p99_ms']:,.0f} ms at {loaded[0].rate:g}/s).** "
        f"At {loaded[0].rate:g} reports/s the pipeline is overloaded: verify committed {rates} "
        "verify process(es), so its queue grows for as long as the load lasts and the latency "
        "is the age of that queue, not the time to handle a report."
    )
    if r.detection:
        d = r.detection
        need = loaded[0].rate * d.load_story_ms / 1000
        text += (
            f" Detection alone costs {d.load_story_ms:.0f} ms of CPU for one of these 3 KB "
            f"stories ({d.load_story_claims:.0f} claims): {loaded[0].rate:g}/s needs "
            f"{need:.1f} cores for detection alone, on a machine of two shared cores that also "
            "runs ingest, publish, the broker, the store and the load."
        )
    text += (
        " It is not only CPU: verify's consumer handles one report at a time, and each waits "
        "in turn on its store commands (a lookup, the transaction's reads and writes, the "
        "commit) and on the broker's acknowledgement of its receipt, while ingest keeps the "
        "same store busy with what it accepts."
    )
    if r.sampler:
        parts = []
        for f in loaded:
            phase = _e2e_phase(f)
            verify = r.sampler.cores(phase, "verify") + r.sampler.cores(phase, "verify2")
            store = r.sampler.cores(phase, "store")
            ingest = r.sampler.cores(phase, "ingest")
            parts.append(
                f"{f.consumers} verify: verify {verify:.2f} cores, store {store:.2f}, "
                f"ingest {ingest:.2f}"
            )
        text += " CPU during those runs: " + "; ".join(parts) + "."
    p = _profile([p for f in loaded for p in f.profiles], "e2e-1", ": verify")
    if p:
        text += (
            f" Verify's profile (one process): detection "
            f"{p.share_within('detect_claims'):.0f}% of its samples, the revision's transaction "
            f"{p.share_within('commit_revision'):.0f}%, the receipt "
            f"{p.share_within('EventProducer.send '):.0f}%, the snapshot outbox "
            f"{p.share_within('SnapshotOutbox.send_pending'):.0f}%."
        )
    dups = sum(f.duplicates for f in loaded)
    if dups:
        text += (
            f" Verify got {dups:,} reports a second time in these runs (re-sent by ingest, or "
            "re-read after a consumer left its group): more work for a consumer already behind."
        )
    two = [f for f in loaded if f.consumers == 2]
    if two and two[0].snapshots > 1.3 * two[0].revisions:
        f = two[0]
        text += (
            f" With two verify processes, both snapshot outboxes send every pending story: "
            f"{f.snapshots:,} snapshots for {f.revisions:,} revisions stored, and the two "
            "contend for the same store lock, so the second process adds little."
        )
    if low:
        f = low[0]
        text += (
            f" Under a load it keeps up with ({f.rate:g}/s), the pipeline's own latency is p50 "
            f"{f.latency_ms['p50']:.0f} ms, p99 {f.latency_ms['p99']:.0f} ms to received "
            f"(p99 {f.stored_ms['p99']:.0f} ms to stored)."
        )
    return [text, ""]


def gate_gap(r: Results) -> list[str]:
    if r.gate is None:
        return []
    g = r.gate
    p50, p90, p99 = (first_p(g, p) for p in (50, 90, 99))
    met = p99 <= TARGETS["gate_ms"]
    text = (
        f"**Gate ({'met' if met else 'missed'}: first answer for a new version p50 "
        f"{p50:.0f} ms, p99 {p99:.0f} ms for {g.blockers:,} claims; the same version again "
        f"p50 {g.one.p50_ms:.1f} ms).** Publish works the verdict out once, when a "
        "snapshot arrives (its consumer has just decoded and validated it), and stores it "
        "as JSON with the row (`verdict_json`): an answer is one read of the row's state and "
        f"verdict ({g.answer_bytes / 1e3:,.0f} kB here) spliced into the answer, with no "
        "decoding or validation of the 1,000-claim snapshot on the request's path."
    )
    p = _profile(g.profiles, "gate")
    if p:
        read = p.share_within("story_verdict (publish/stories/repository.py)")
        applied = p.share_within("apply_snapshot (publish")
        text += (
            f" Profile of publish while first answers were asked: reading the verdict "
            f"{read:.0f}% of its samples, storing each new snapshot (and working its verdict "
            f"out) {applied:.0f}%."
        )
    text += (
        " The long tail was the garbage collector (full collections over every object built "
        "at start-up, set off by a request that allocates a 1,000-claim model): services now "
        "`gc.freeze()` those at start (see below)."
    )
    if not met or p99 > 0.8 * TARGETS["gate_ms"]:
        lead = (
            "What is left"
            if not met
            else "The p99 is close to the target, and run-to-run noise on this shared machine "
            "can put it on either side. What it is made of"
        )
        text += (
            f" {lead} is the read of a {g.answer_bytes / 1e3:,.0f} kB verdict from the "
            f"store (a Python server that loads the whole row to project it) while publish "
            f"stores the same story's newest snapshot (p90 {p90:.0f} ms)."
        )
    return [text, ""]


def feeds_gap(r: Results) -> list[str]:
    if r.feeds is None:
        return []
    run = next(x for x in r.feeds.runs if x.name.startswith("304"))
    whole = next(x for x in r.feeds.runs if x.name.startswith("200"))
    mw = whole.bare_middleware.ok_per_second / whole.bare.ok_per_second
    met = run.ratio >= TARGETS["feeds_304"]
    text = f"**Feeds with 304 ({run.ratio:.2f} of bare; target {TARGETS['feeds_304']:.2f}).** "
    if met:
        cost = (
            "less than the bare endpoint's, which still goes through FastAPI's routing and "
            "request handling"
            if run.ratio > 1.1
            else "about what the bare endpoint's does"
        )
        text += (
            "Publish answers a matching `If-None-Match` from its in-memory cache before the "
            f"services' middleware and its router (`publish/feeds/shortcut.py`): a 304 costs "
            f"{cost}."
        )
    else:
        text += (
            "The feed is rendered once per change and a 304 touches no database: what is "
            "left is per-request framework work, the services' middleware and publish's "
            "route table (every route ahead of the feed's is tried first)."
        )
    text += (
        f" The whole feed (200, no target) is at {whole.ratio:.2f}: it still goes through "
        "them, and the same bare endpoint behind the services' middlewares alone answers "
        f"{mw:.2f} of bare (request and trace ids, two uuid4s, structlog context, Prometheus "
        "labels per request); the rest is the router (25 routes ahead of an endpoint cost a "
        "bare app 20-30%, measured apart) and the handler."
    )
    p = _profile(r.feeds.profiles, "feeds")
    if p:
        text += (
            " Profile of publish answering 304s: `RequestContextMiddleware` "
            f"{p.share_within('RequestContextMiddleware'):.0f}% of the samples, routing "
            f"{p.share_within('Router.__call__', 'APIRouter.app'):.0f}%, uvicorn's send "
            f"{p.share_within('RequestResponseCycle.send'):.0f}%; its own work: "
            f"{_own_work(p)}."
        )
    return [text, ""]


def render(r: Results) -> list[str]:
    out = ["## Where the gaps come from", ""]
    out += ingest_gap(r) + e2e_gap(r) + gate_gap(r) + feeds_gap(r)
    return out + changes(r) + found(r)


def changes(r: Results) -> list[str]:
    """What the profiles led to outside bench/, with the figure before (an earlier run on
    this machine, 2026-11-25) and this run's."""
    out = ["## What the profiles led to (changes outside bench/)", ""]
    gate_now = f"p50 {r.gate.one.p50_ms:.0f} ms, p99 {r.gate.one.p99_ms:.0f} ms" if r.gate else "–"
    first_now = (
        f"p50 {first_p(r.gate, 50):.0f} ms, p99 {first_p(r.gate, 99):.0f} ms" if r.gate else "–"
    )
    loaded = [f for f in r.e2e if f.rate >= 100 and f.consumers == 1]
    verify_now = f"{loaded[0].verify_per_second:.0f}/s" if loaded else "–"
    out += [
        "- `verify/stories/repository.py` `apply_writes`: a revision's new claims and all "
        "audit entries are written with one `insert_many` each instead of one `insert_one` "
        "per claim and per entry (a 3 KB story: ~40 round trips to the store become 2). "
        "Verify working off a burst of 300 such reports: 12.3/s before, 18.4/s after "
        f"(dev measurement); through verify at the end-to-end rate in this run: {verify_now}.",
        "- `services/http/app.py`: `gc.freeze()` once the service has started. The gate's tail "
        "was full garbage collections walking every object built at start-up; in-process, "
        "the gate's work for 1,000 claims went from p90 86 ms, max 97 ms to p90 27 ms, max "
        "36 ms. Gate figure before: p50 28 ms, p99 128 ms; this run: "
        f"{gate_now}.",
        "- `publish/stories/service.py` `apply_snapshot`: the gate's verdict is worked out "
        "once, when a snapshot arrives, and stored as JSON with the row; the gate answers "
        "from that (`verdict_json`) instead of reading, decoding and validating the whole "
        "snapshot on every ask. First answer for a new version of a 1,000-claim story "
        "before (the earlier run, answers worked out per ask): p50 25 ms, p99 55 ms; this "
        f"run: {first_now}.",
        "",
    ]
    return out


def found(r: Results) -> list[str]:
    """What this run's evidence shows that is not bench's to change: for the code's owners.
    Each item is written only when the run shows it."""
    items = []
    profiles = [p for f in r.e2e for p in f.profiles if ": verify" in p.name]
    profiles += r.ingest.profiles if r.ingest else []
    crc = max((p.share_in("crc_update") for p in profiles), default=0.0)
    if crc >= 1:
        items.append(
            "kafka-python computes CRC32C in pure Python unless the `crc32c` package is "
            f"installed: `crc_update` took up to {crc:.0f}% of a service's samples in this run "
            "(0.28 ms per 3 KB message here, against 0.0002 ms with the C package, measured "
            "apart), in every producer and consumer. Adding `crc32c` to the dependencies "
            "removes it."
        )
    two = [f for f in r.e2e if f.consumers == 2]
    if two and two[0].snapshots > 1.3 * two[0].revisions:
        f = two[0]
        items.append(
            "Verify's snapshot outbox runs in every verify process and sends every pending "
            f"story: with two processes, {f.snapshots:,} snapshots went out for "
            f"{f.revisions:,} revisions. Claiming a story before sending it (or running the "
            "outbox in one process) would save that work."
        )
    kicked = sum(f.kicked_out for f in r.e2e)
    if kicked:
        items.append(
            f"{kicked} offset commit(s) were refused in the end-to-end runs: a consumer took "
            "longer over one poll batch than its poll interval allows, was dropped from its "
            "group, and the batch is read again. Fewer records per poll (or a longer "
            "interval) for a handler that takes tens of ms per message would avoid it."
        )
    again = sum(f.duplicates for f in r.e2e)
    if again:
        items.append(
            f"Verify got {again:,} reports a second time in the end-to-end runs: under a "
            "backlog older than `redeliver_after_seconds` ingest's relay re-sends every "
            "unconfirmed report, adding work to a consumer that is already behind; a re-send "
            "that backs off while receipts are still arriving would not."
        )
    if not items:
        return []
    out = ["## Found, not changed (for the owners of that code)", ""]
    return [*out, *(f"- {item}" for item in items), ""]
