"""The report's sections, one per part of the run: how each figure was measured, its
table, its command; the memory and CPU of the run; the profiles."""

from __future__ import annotations

from bench.burst import BurstFigure
from bench.detection import DetectionFigure
from bench.e2e import E2EFigure
from bench.feeds import FeedFigure
from bench.gate import GateFigure, first_p
from bench.ingest import IngestFigure
from bench.markdown import ms, ratio, table, wrk_row
from bench.profile import Profile
from bench.sampler import WHOLE_RUN, WITH_WORKERS, Sampler
from bench.verify_ratio import VerifyRatio

SERVICES = ("ingest", "verify", "verify2", "publish")
PARTS = (*SERVICES, "broker", "store")
MB = 1_000_000


def ingest_section(fig: IngestFigure) -> list[str]:
    out = [
        "## Ingest",
        "",
        f"`POST /v1/reports` with a {fig.body_bytes} B story, a bearer token (100 reporters in",
        "turn) and a new `Idempotency-Key` on every request; closed loop (wrk), 1 s of",
        "warm-up then 5 s measured per level. Baselines, served the same way (uvicorn, one",
        "worker, default loop and HTTP; `bench/baseline.py`): a bare FastAPI endpoint that",
        'parses the same body with the same pydantic `ReportIn` and answers 202 ("parse"),',
        "and the same endpoint storing each report with one pymongo `insert_one` into the",
        'same store ("insert_one"). Verify is paused (SIGSTOP) during ingest\'s levels, so',
        "its detection work does not share the two cores with the figure; the bare levels",
        "run first, and ingest's whole run stays under ingest's 30 s re-send interval.",
        "",
        "![ingest throughput and latency against concurrency](ingest.png)",
        "",
    ]
    rows = [
        [str(lv.connections), *wrk_row(lv.ingest), str(lv.ingest.failed), *wrk_row(lv.store),
         *wrk_row(lv.bare), f"{lv.store_ratio:.2f}", ratio(lv.ratio)]
        for lv in fig.levels
    ]  # fmt: skip
    out += table(
        ["connections", "ingest 2xx/s", "p50", "p99", "non-2xx", "insert_one /s", "p50",
         "p99", "parse /s", "p50", "p99", "÷ insert_one", "÷ parse"],
        rows,
    )  # fmt: skip
    out += ["Commands (per level; `-c` and `-t` change):", "", "```"]
    out += [fig.levels[-1].ingest.command, fig.levels[-1].store.command,
            fig.levels[-1].bare.command, "```", ""]  # fmt: skip
    return out


def e2e_section(figs: list[E2EFigure]) -> list[str]:
    out = [
        "## End to end",
        "",
        "An open-loop sender (`bench/pacer.py`, its own process) offers unique 3 KB reports at",
        "a fixed rate, each at its own time, whatever the answers do. Latency is verify's",
        "`received_at` minus ingest's `accepted_at`, both read from the databases after the",
        'run; "to stored" uses the time verify logged the revision committed with its',
        f"claims (`report_received`). Reports not in verify {figs[0].deadline_s:g} s after the",
        'last send count as slower than that. "202 answer" is measured from each request\'s',
        "scheduled time (so a slow answer cannot hide the requests queued behind it).",
        "Reports verify dead-lettered (a detection error) are counted apart, not as slow;",
        '"Seen again": reports verify got a second time (ingest re-sends after 30 s without a',
        'receipt; a consumer re-reads after leaving its group). "Commits refused": offset',
        "commits refused because the consumer had been dropped from its group (a poll batch",
        "took longer than the poll interval).",
        "",
    ]
    rows = []
    for f in figs:
        rows.append([
            str(f.consumers), f"{f.rate:g}/s × {f.offered}", f"{f.accepted_per_second:.0f}/s",
            f"{ms(f.answer_p50_ms)} / {ms(f.answer_p99_ms)}",
            f"{f.verify_per_second:.0f}/s",
            f"{f.received} of {f.accepted - f.dead_lettered}", str(f.dead_lettered),
            f"{f.duplicates:,}", str(f.kicked_out),
            " / ".join(ms(f.latency_ms[p], f.deadline_s) for p in ("p50", "p95", "p99")),
            " / ".join(ms(f.stored_ms[p], f.deadline_s) for p in ("p50", "p95", "p99")),
            str(f.backlog_at_start),
        ])  # fmt: skip
    out += table(
        ["verify processes", "offered", "202s", "202 answer p50 / p99", "through verify",
         "in verify by the deadline", "dead-lettered by verify", "reports seen again",
         "commits refused",
         "202 → received p50 / p95 / p99",
         "202 → stored p50 / p95 / p99", "queued before the run"],
        rows,
    )  # fmt: skip
    out += ["Command:", "", "```", figs[0].command, "```", ""]
    return out


def verify_section(v: VerifyRatio) -> list[str]:
    return [
        "## Verify draining a backlog, beside detection alone",
        "",
        f"{v.reports} reports of 3 KB ({v.claims_each:.1f} claims each) queued on",
        "`reports.submitted` before one verify process starts, on its own broker and store",
        "(`bench/verify_drain.py`); timed from its first stored revision (claims stored,",
        "receipt sent, offsets committed) to its last. Detection alone: the same bodies through",
        f"a process pool of {v.processes} processes (verify's pool size here), nothing else.",
        "",
        *table(
            ["verify stories/s", "detection alone stories/s", "processes", "ratio"],
            [
                [
                    f"{v.verify_per_second:.1f}",
                    f"{v.alone_per_second:.1f}",
                    str(v.processes),
                    f"{v.ratio:.2f}",
                ]
            ],
        ),
        "Command: `python -m bench.verify_drain N` (the same measurement, alone).",
        "",
    ]


def burst_section(b: BurstFigure) -> list[str]:
    names = {-1: "not sent by the sender's deadline", 0: "no answer"}
    statuses = ", ".join(
        f"{n:,} × {names.get(code, code)}" for code, n in sorted(b.statuses.items())
    )
    peaks = [[name, f"{b.peak(name):,.0f}"] for name in sorted(b.series)]
    every = max(1, len(b.progress) // 12)
    shown = b.progress[::every] + ([b.progress[-1]] if len(b.progress) % every != 1 else [])
    return [
        "## A burst",
        "",
        f"{b.offered:,} reports of 3 KB offered at 1,000/s (open loop, up to 64 connections),",
        f"sent in {b.send_seconds:.0f} s; answers: {statuses}. One verify process drains them;",
        "the bench reads ingest's and verify's `/metrics` every 5 s meanwhile, and waits",
        "until every accepted report is in verify (the time to drain), at most",
        f"{b.deadline_s:.0f} s from the first send (a guard against a hang):",
        f"{b.in_verify:,} of {b.accepted:,} after {b.drain_seconds:.0f} s",
        f"({b.waiting:,} not in verify yet, {b.lost} of them lost: neither in verify nor",
        "waiting in ingest's outbox). Into verify over the last minute:",
        f"{b.falling_per_second:.1f}/s. The outbox backlog is counted at most every 5 s, and",
        "after a count that took t not again for 20 t (a count reads every due row); the",
        "consumer's on every poll.",
        "",
        "![the backlog in /metrics while the burst drains](burst.png)",
        "",
        *table(["series in /metrics", "peak"], peaks),
        *table(
            ["seconds from the first send", "in verify"],
            [[f"{at:.0f}", f"{n:,}"] for at, n in shown],
        ),
    ]


def gate_section(g: GateFigure) -> list[str]:
    out = [
        "## Gate",
        "",
        f"One report whose body ({g.body_bytes:,} B) has {g.claims:,} checkable sentences, through",
        f"ingest and verify's detection; publish showed its gate with {g.blockers:,} blockers",
        f"(every claim pending) {g.ready_after_s:.1f} s after the 202. The answer is",
        f"{g.answer_bytes:,} B. Publish works each verdict out once, when the snapshot arrives.",
        "",
        "First answers: a reviewer took and gave back a claim's lease in verify, one step at a",
        f"time, {len(g.first_ms)} new versions of the story; the first gate answer for each",
        "new version timed by the client as soon as publish had it, over loopback:",
        f"p50 {ms(first_p(g, 50))}, p90 {ms(first_p(g, 90))}, p99 {ms(first_p(g, 99))},",
        f"max {ms(max(g.first_ms))}.",
        "",
        "The same version asked again, timed with wrk as a reviewer:",
        "",
    ]
    out += table(
        ["connections", "answers/s", "p50", "p90", "p99", "max"],
        [
            [str(c), f"{res.ok_per_second:,.1f}", ms(res.p50_ms), ms(res.p90_ms),
             ms(res.p99_ms), ms(res.max_ms)]
            for c, res in ((1, g.one), (4, g.four))
        ],
    )  # fmt: skip
    out += ["Command:", "", "```", g.one.command, "```", ""]
    return out


def feeds_section(f: FeedFigure) -> list[str]:
    out = [
        "## Feeds",
        "",
        f"`/feeds/all.json` with {f.items} released stories ({f.feed_bytes:,} B), each submitted,",
        "reviewed claim by claim over verify's API and published by an editor over",
        f"publish's ({f.setup_s:.0f} s). Baseline: a bare FastAPI endpoint answering the same",
        'bytes with an ETag, and 304 when `If-None-Match` carries it. "Bare + middleware":',
        "the same bare endpoint behind the middlewares every service runs",
        "(`services/http/middleware.py`), to show their share of the gap.",
        "",
    ]
    rows = [
        [run.name, *wrk_row(run.feed), *wrk_row(run.bare), f"{run.ratio:.2f}",
         f"{run.bare_middleware.ok_per_second:,.0f}",
         f"{run.bare_middleware.ok_per_second / run.bare.ok_per_second:.2f}"]
        for run in f.runs
    ]  # fmt: skip
    out += table(
        ["request", "feed /s", "p50", "p99", "bare /s", "p50", "p99", "ratio",
         "bare + middleware /s", "its ratio"],
        rows,
    )  # fmt: skip
    out += ["Commands:", "", "```", *(r.feed.command for r in f.runs), "```", ""]
    return out


def resources_section(s: Sampler) -> list[str]:
    phases = [p for p in s.wall if p not in ("start", WHOLE_RUN)] + [WHOLE_RUN]
    whole = s.rss[WHOLE_RUN]
    parts = [p for p in PARTS if p in whole]
    parts += sorted(p for p in whole if " worker " in p or p.endswith(WITH_WORKERS))
    out = [
        "## Memory and CPU",
        "",
        "Sampled with psutil every 0.2 s. A service's child processes (verify's detection",
        "pool and its forkserver) are `<service> worker N`; `<service> + workers` is the",
        "largest sum of the service and its workers at one sample. Peak RSS (MB):",
        "",
    ]
    out += table(
        ["phase", *parts],
        [[ph, *(f"{s.rss[ph][p] / MB:.0f}" if p in s.rss[ph] else "–" for p in parts)]
         for ph in phases],
    )  # fmt: skip
    out += ["Average CPU use (cores; 2 would be the whole machine):", ""]
    cpu_parts = [p for p in parts if not p.endswith(WITH_WORKERS)]
    out += table(
        ["phase", *cpu_parts],
        [[ph, *(f"{s.cores(ph, p):.2f}" if p in s.cpu[ph] else "–" for p in cpu_parts)]
         for ph in phases],
    )  # fmt: skip
    return out


def detection_section(d: DetectionFigure) -> list[str]:
    return [
        "## Detection (in-process, no stack)",
        "",
        f"- A fixture story (median {d.fixture_bytes:,} B): {d.fixture_ms:.1f} ms median, "
        f"{d.fixture_max_ms:.1f} ms the slowest (best of 5, caches cleared).",
        f"- The load's 3 KB stories: {d.load_story_ms:.1f} ms median, "
        f"{d.load_story_claims:.0f} claims each: one core detects at most "
        f"{1000 / d.load_story_ms:.0f} of them per second, before any store or broker work.",
        f"- {d.large_paragraphs} paragraphs ({d.large_claims} claims): {d.large_s:.2f} s; "
        f"{d.small_paragraphs} paragraphs: {d.small_s:.2f} s; growth ×{d.growth:.1f} for ×"
        f"{d.large_paragraphs / d.small_paragraphs:.0f} the text (linear would be ×4).",
        "",
    ]


def profiles_section(profiles: list[Profile]) -> list[str]:
    out = [
        "## Profiles",
        "",
        'py-spy, 50 samples/s, non-blocking, recorded during the run named. "Within": share',
        'of the samples under that function (project and store code only); "in": share of',
        "the samples spent in that frame itself. Raw stacks: `bench/.run/work/profiles/`.",
        "",
    ]
    for p in profiles:
        out += [f"**{p.name}** ({p.samples} samples)", ""]
        out += [f"- within {share:4.1f}% `{name}`" for share, name in p.inclusive[:10]]
        out += [f"- in {share:4.1f}% `{name}`" for share, name in p.self_time[:5]]
        out.append("")
    return out
