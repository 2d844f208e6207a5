"""Where each gap comes from: the run's own evidence (CPU use per phase, the profiles,
the detection figure, the feed's decomposition) put into words for ``results.md``.

What is stated here about the store's server was read in its source
(``secantus/storage.py``: one ``threading.RLock`` taken by every command) and is
confirmed by its profile in the same run (samples waiting on that lock).
"""

from __future__ import annotations

from bench import gaps_pipeline
from bench.gaps_pipeline import WAITS, own_work, profile_named, store_writes
from bench.gate import first_p
from bench.ingest import PHASE as INGEST_PHASE
from bench.report import TARGETS, Results

# Frames in SecantusDB's server whose own time is spent acquiring its storage lock.
STORE_LOCK = ("Storage.get_profile", "Storage.get_collection_options")
WAITING_ON_STORE = ("NetworkingInterface.recv_into",)


def ingest_gap(r: Results) -> list[str]:
    if r.ingest is None or r.sampler is None:
        return []
    levels = r.ingest.levels
    best = max(levels, key=lambda lv: lv.ingest.ok_per_second)
    rate = best.ingest.ok_per_second
    store_rate = max(lv.store.ok_per_second for lv in levels)
    bare_rate = max(lv.bare.ok_per_second for lv in levels)
    store = r.sampler.cores(INGEST_PHASE, "store")
    ingest = r.sampler.cores(INGEST_PHASE, "ingest")
    mean_rate = sum(lv.ingest.ok_per_second for lv in levels) / len(levels)
    store_ms = 1000 * store / mean_rate if mean_rate else 0.0
    ingest_ms = 1000 * ingest / mean_rate if mean_rate else 0.0
    text = (
        f"**Ingest ({rate / store_rate:.2f} of the insert_one endpoint, target "
        f"{TARGETS['ingest_store']:.2f}; {rate / bare_rate:.3f} of the parse-only one, target "
        f"{TARGETS['ingest']:.2f}).** Ingest's best level ({best.connections} connections) "
        f"accepted {rate:,.0f}/s. Per accepted report it authenticates (the token's record "
        "is read on every request, so a revoked token fails at once; concurrent requests' "
        "reads go as one command; the user is cached), checks the text policy, reserves the "
        "rate limit in memory and stores the report with one insert whose unique index "
        "answers the Idempotency-Key (a replay costs a lookup only when it is one); "
        "concurrent requests' inserts leave together as one `insert_many`, claimed by the "
        "process's relay, which sends the batch from memory (while busy, waiting up to 20 "
        "ms for the next one to send with it) and records the sends of a poll interval "
        "with one small "
        "insert (`reports_queued`): no report is rewritten after it is stored. A report "
        "answered 202 is stored: never lost. During ingest's levels "
        f"ingest used {ingest:.2f} cores and the store {store:.2f}: about {ingest_ms:.1f} ms of "
        f"ingest's CPU and {store_ms:.1f} ms of the store's per accepted report. The parse-only "
        f"endpoint ({bare_rate:,.0f}/s) does none of that and writes nothing; the insert_one "
        f"endpoint ({store_rate:,.0f}/s) pays one round trip to the store per report, which "
        "ingest's grouped inserts share, but stores into a collection with no index besides "
        "`_id`: the store writes every index entry of a document itself (Python), and a "
        "report has four (`_id`, idempotency, revisions, the outbox; the listings' own two "
        "are gone, no query plan used them), where six cost about 1.4 ms of the store's CPU "
        "per report in an `insert_many` of 16 against 0.3 ms with `_id` alone. "
        "A plain submission is answered before FastAPI's router (`ingest/reports/shortcut.py`, "
        "inside the services' middlewares: ids, metrics, the body's limits), through the "
        "route's own checks, and ids come from one `os.urandom` read per 256 "
        "(`services/ids.py`; five `getrandom` calls a report were a tenth of ingest's "
        "samples): with FastAPI's routing, dependencies and response model, they were "
        "about half of ingest's CPU per report (1.2-1.4 ms before, 0.6-0.7 ms after, "
        "measured in the same minutes). "
        "What is left of ingest's own CPU is uvicorn and the middlewares, the text policy "
        "and request hash (about 0.3 ms for 3 KB), the grouped store commands' round trips, "
        "and the relay's Kafka producer (kafka-python wakes its sender with a socket write "
        "for every new batch, one per partition per relay batch)."
    )
    p_ingest = profile_named(r.ingest.profiles, "ingest", ": ingest")
    p_store = profile_named(r.ingest.profiles, "ingest", ": store")
    if p_ingest:
        waiting = p_ingest.share_in(*WAITS[:2])
        text += (
            f" Ingest's profile: {waiting:.0f}% of its samples wait (for the store's answer "
            f"or a worker's turn); its own work: {own_work(p_ingest)}."
        )
    if p_store:
        text += (
            f" The store's profile: its own work {own_work(p_store)}; "
            f"{p_store.share_in(*STORE_LOCK):.0f}% of its samples in frames that wait for its "
            f"storage lock (`{STORE_LOCK[0]}`, `{STORE_LOCK[1]}`)."
            f"{store_writes(p_store)}"
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
    p = profile_named(g.profiles, "gate")
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
        f"{mw:.2f} of bare (request and trace ids, structlog context, Prometheus "
        "labels per request); the rest is the router (25 routes ahead of an endpoint cost a "
        "bare app 20-30%, measured apart) and the handler."
    )
    p = profile_named(r.feeds.profiles, "feeds")
    if p:
        text += (
            " Profile of publish answering 304s: `RequestContextMiddleware` "
            f"{p.share_within('RequestContextMiddleware'):.0f}% of the samples, routing "
            f"{p.share_within('Router.__call__', 'APIRouter.app'):.0f}%, uvicorn's send "
            f"{p.share_within('RequestResponseCycle.send'):.0f}%; its own work: "
            f"{own_work(p)}."
        )
    return [text, ""]


def render(r: Results) -> list[str]:
    out = ["## Where the gaps come from", ""]
    out += gaps_pipeline.verify_gap(r) + gaps_pipeline.e2e_gap(r) + gaps_pipeline.burst_gap(r)
    out += ingest_gap(r) + gate_gap(r) + feeds_gap(r) + detection_gap(r)
    return out + changes() + found(r)


def detection_gap(r: Results) -> list[str]:
    """Claim detection's CPU per story against its absolute ceiling (issue 16)."""
    d = r.detection
    if d is None:
        return []
    met = "met" if d.cpu_ms <= TARGETS["detection_ms"] else "missed"
    share = d.cpu_ms / d.pure_cpu_ms if d.pure_cpu_ms else 0.0
    return [
        f"**Claim detection alone ({d.cpu_ms:.2f} ms per distinct 3 KB story, {d.state}; "
        f"target {TARGETS['detection_ms']:.0f} ms, {met}).** It is {share:.2f} of the plain "
        f"sources' CPU in this run ({d.pure_cpu_ms:.2f} ms). The only absolute figure here, "
        "so it moves with the shared host more than with the code: on 2026-12-04 stop 31's "
        "build measured alone took 3.1 to 4.0 ms within twenty minutes, and 5.3 ms beside "
        "one memory-heavy process on the other core (the word caches' lookups wait on "
        "memory). What is left is spread thin over the rules (perf, compiled: tokenizing "
        "11%, checkable 6%, figures 6%, contest cues 5%, content stems 4%, attribution 4%, "
        "no other above 4%); by what the CPU does: string-keyed dict lookups (the word "
        "caches) 9%, regular expressions 8%, set membership 5%, freeing each story's "
        "objects 5%. See verify/detection/README.md for what each round changed.",
        "",
    ]


def changes() -> list[str]:
    """What this round of profiles led to outside bench/ (issue 15)."""
    return [
        "## What the profiles led to (changes outside bench/)",
        "",
        *(f"- {change}" for change in CHANGES),
        "",
    ]


# Each with its figure before and after (measured in-process, before and after the
# change in the same minute with timeit, best of 7; the machine's load
# average was about 30 then, so the absolute figures are high, the ratios are the point).
CHANGES: list[str] = [
    "`services/text.py`: the text policy tested every character of a field against a "
    "regex class reaching past the BMP, which Python's engine tests range by range: 1.4 "
    "to 3.7 ms for a 3 KB body, on every report (and every text field of every service). "
    "The forbidden characters are now also a set, and a field's characters are checked "
    "against it at C speed; only a field that has one is searched by the regex (for the "
    "same first position and rule as before). A 3 KB body: 3.2-3.7 ms before, 0.03-0.07 "
    "ms after.",
    "`ingest/reports/repository.py` `insert`: a report is written as a plain dict of the "
    "`Report` document's fields instead of building and validating a mongoengine document "
    "per report: 0.6-4 ms of ingest's CPU before, 0.001 ms after "
    "(`tests/ingest/test_stored_form.py` holds the two forms equal).",
    "Ingest's store commands per accepted report (pymongo's command monitoring, 400 "
    "reports from 16 clients): 1.47 before, 0.69 after. Before: a token read per request, "
    "and the relay's pass per wake-up (four commands to claim, then two updates that "
    "rewrite each report and its six index entries to mark it sent: about 3 ms of the "
    "store's CPU per report, twice its insert). After: concurrent requests' token reads go "
    "as one command (`services/coalesce.py`, still read on every request); reports are "
    "stored claimed by the process's relay and due at their first re-send, the stored "
    "batch is handed to the relay in memory, and a sent batch is one small insert into "
    "`reports_queued` (`ingest/relay.py`). The store's CPU per accepted report: 10-17 ms "
    "before, 2.3-3.5 ms after; submitting is async end to end (no worker-thread hop for "
    "the token read or the route): ingest's CPU 4.7-8.7 ms before, 2.6-3.5 ms after "
    "(ingest as its own process under wrk, before and after in the same minutes, load 7-8).",
    "Reads the store answered by reading every document (SecantusDB's `explain`: COLLSCAN "
    "for a filter with `$or`; a `$lte`-only range "
    "walking the index's null entries): every outbox poll's claim (each relay, every "
    "second), ingest's held-version mark for every snapshot verify sent, and the outbox "
    "backlog count. Now each is answered from an index (`services/outbox/rows.py`, "
    "`ingest/reports/repository.py`; `tests/outbox/test_indexed.py` and "
    "`tests/ingest/test_timeline_batch.py` explain every filter): 60-400 ms before, about "
    "1 ms after, at 3,000 stored reports. `decode` (14-16% of the store's samples in "
    "ingest's levels) left the store's profile. Ingest's consumer stores a round's marks "
    "with one `bulk_write`. A burst of 2,000 reports, main then this change (load 10 "
    "both): 918 against 1,097 in verify after 300 s, 2.1/s against 3.0/s at the end.",
    "`services/store.py`: no retryable writes. SecantusDB keeps each retryable write's "
    "reply for 30 min (up to 10,000) and scans them all twice per write "
    "(`TransactionRegistry._prune_retryable_locked`, 5-12% of the store's samples in "
    "ingest's levels).",
]


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
