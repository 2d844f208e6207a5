"""``bench/results.md``: every figure of the run against its baseline and its target, the
machine, its load, the versions and settings, and where each gap comes from."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.detection import DetectionFigure
from bench.e2e import RATE as E2E_TARGET_RATE
from bench.e2e import E2EFigure
from bench.feeds import FeedFigure
from bench.gate import GateFigure, first_p
from bench.ingest import PHASE as INGEST_PHASE
from bench.ingest import IngestFigure
from bench.load import Result
from bench.memory import MemoryFigure
from bench.memory import lines as memory_lines
from bench.profile import Profile
from bench.sampler import WHOLE_RUN, Sampler

SERVICES = ("ingest", "verify", "verify2", "publish")
PARTS = (*SERVICES, "broker", "store")
MB = 1_000_000

TARGETS = {
    "ingest": 0.50,  # of bare
    "e2e_p99_ms": 1000.0,
    "gate_ms": 50.0,
    "feeds_304": 0.80,  # of bare
    "rss_mb": 300.0,
}


@dataclass
class Results:
    machine: dict[str, str]
    versions: dict[str, str]
    loads: list[tuple[str, tuple[float, float, float]]]
    started: float
    settings: list[tuple[str, str, str]] = field(default_factory=list)
    e2e: list[E2EFigure] = field(default_factory=list)
    gate: GateFigure | None = None
    feeds: FeedFigure | None = None
    ingest: IngestFigure | None = None
    detection: DetectionFigure | None = None
    memory: MemoryFigure | None = None
    sampler: Sampler | None = None
    minutes: float = 0.0
    errors: dict[str, str] = field(default_factory=dict)  # figure -> why it was not measured


def _ms(value: float, deadline: float | None = None) -> str:
    if math.isinf(value):
        return f"> {deadline:g} s (not in verify)" if deadline else "∞"
    if math.isnan(value):
        return "–"
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def _ratio(value: float) -> str:
    return f"{value:.3f}" if value < 0.1 else f"{value:.2f}"


def _met(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


# --- the summary --------------------------------------------------------------------------


def summary(r: Results) -> list[str]:
    rows = []
    if r.ingest:
        ratios = [lv.ratio for lv in r.ingest.levels]
        worst = min(r.ingest.levels, key=lambda lv: lv.ratio)
        rows.append([
            "ingest, accepted 3 KB reports/s ÷ bare",
            f"{_ratio(min(ratios))} to {_ratio(max(ratios))} of bare (worst at {worst.connections} "
            f"connections: {worst.ingest.ok_per_second:.0f}/s against "
            f"{worst.bare.ok_per_second:.0f}/s)",
            f"≥ {TARGETS['ingest']:.2f} of bare",
            _met(min(ratios) >= TARGETS["ingest"]),
        ])  # fmt: skip
    for fig in r.e2e:
        p99 = fig.latency_ms["p99"]
        judged = fig.rate >= E2E_TARGET_RATE
        rows.append([
            f"end to end, 202 → in verify, {fig.consumers} verify process(es), "
            f"{fig.rate:g}/s offered",
            f"p50 {_ms(fig.latency_ms['p50'], fig.deadline_s)}, p99 "
            f"{_ms(p99, fig.deadline_s)}; {fig.accepted_per_second:.0f}/s accepted, "
            f"{fig.verify_per_second:.0f}/s through verify",
            f"p99 ≤ {TARGETS['e2e_p99_ms']:,.0f} ms at {E2E_TARGET_RATE:g}/s" if judged
            else "(none: the pipeline's own latency)",
            _met(p99 <= TARGETS["e2e_p99_ms"] and fig.accepted_per_second >= 0.95 * fig.rate)
            if judged else "–",
        ])  # fmt: skip
    if r.gate:
        g = r.gate
        rows.append([
            f"gate, story of {g.blockers} claims, first answer for a new version",
            f"p50 {_ms(first_p(g, 50))}, p99 {_ms(first_p(g, 99))} "
            f"({len(g.first_ms)} versions, one at a time)",
            f"≤ {TARGETS['gate_ms']:.0f} ms",
            _met(first_p(g, 99) <= TARGETS["gate_ms"]),
        ])  # fmt: skip
        rows.append([
            f"gate, story of {g.blockers} claims, the same version asked again",
            f"p50 {_ms(g.one.p50_ms)}, p99 {_ms(g.one.p99_ms)} (one request at a time)",
            "(none)",
            "–",
        ])  # fmt: skip
    if r.feeds:
        for run in r.feeds.runs:
            conditional = run.name.startswith("304")
            rows.append([
                f"feeds, /feeds/all.json {run.name} ÷ bare",
                f"{run.ratio:.2f} ({run.feed.ok_per_second:,.0f}/s against "
                f"{run.bare.ok_per_second:,.0f}/s)",
                f"≥ {TARGETS['feeds_304']:.2f} of bare" if conditional else "(no target)",
                _met(run.ratio >= TARGETS["feeds_304"]) if conditional else "–",
            ])  # fmt: skip
    if r.sampler:
        peaks = r.sampler.rss.get(INGEST_PHASE) or r.sampler.rss[WHOLE_RUN]
        whole = r.sampler.rss[WHOLE_RUN]
        worst = max((p for p in SERVICES if p in whole), key=lambda p: whole[p])
        top = max(peaks.get(p, 0) for p in SERVICES) / MB
        rows.append([
            "memory, peak RSS of a service",
            f"{top:.0f} MB during the ingest run; {whole[worst] / MB:.0f} MB ({worst}) over the "
            "whole bench",
            f"≤ {TARGETS['rss_mb']:.0f} MB",
            _met(max(top, whole[worst] / MB) <= TARGETS["rss_mb"]),
        ])  # fmt: skip
    return ["## Figures against their targets", "", *_table(
        ["figure", "this run", "target", ""], rows)]  # fmt: skip


# --- the context ----------------------------------------------------------------------------


def context(r: Results) -> list[str]:
    out = ["## Machine, load, versions, settings", ""]
    out += _table(["", ""], [[k, v] for k, v in r.machine.items()])
    out += ["Load average (1, 5, 15 min) as each part of the run began. The bench's own",
            "processes raise it (the end-to-end load alone keeps both cores busy); anything",
            "above that is other work on this shared machine:", ""]  # fmt: skip
    out += _table(
        ["part", "load average"],
        [[name, " / ".join(f"{x:.2f}" for x in load)] for name, load in r.loads],
    )
    out += _table(["component", "version"], [[k, v] for k, v in r.versions.items()])
    out += ["Settings of the bench stack (every other setting is the default):", ""]
    out += _table(["setting", "value", "why"], [list(row) for row in r.settings])
    return out


# --- one section per figure -------------------------------------------------------------------


def _wrk_row(result: Result) -> list[str]:
    return [f"{result.ok_per_second:,.0f}", _ms(result.p50_ms), _ms(result.p99_ms)]


def ingest_section(fig: IngestFigure) -> list[str]:
    out = [
        "## Ingest",
        "",
        f"`POST /v1/reports` with a {fig.body_bytes} B story, a bearer token (100 reporters in",
        "turn) and a new `Idempotency-Key` on every request; closed loop (wrk), 1 s of",
        "warm-up then 5 s measured per level. Baseline: a bare FastAPI endpoint, served the",
        "same way (uvicorn, one worker, default loop and HTTP), that parses the same body",
        "with the same pydantic `ReportIn` and answers 202 (`bench/baseline.py`). Verify",
        "is paused (SIGSTOP) during ingest's levels, so its detection work does not share the",
        "two cores with the figure; the bare levels run first, and ingest's whole run stays",
        "under ingest's 30 s re-send interval.",
        "",
        "![ingest throughput and latency against concurrency](ingest.png)",
        "",
    ]
    rows = [
        [str(lv.connections), *_wrk_row(lv.ingest), str(lv.ingest.failed), *_wrk_row(lv.bare),
         _ratio(lv.ratio)]
        for lv in fig.levels
    ]  # fmt: skip
    out += _table(
        ["connections", "ingest 2xx/s", "p50", "p99", "non-2xx", "bare /s", "p50", "p99",
         "ratio"],
        rows,
    )  # fmt: skip
    out += ["Commands (per level; `-c` and `-t` change):", "", "```"]
    out += [fig.levels[-1].ingest.command, fig.levels[-1].bare.command, "```", ""]
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
            f"{_ms(f.answer_p50_ms)} / {_ms(f.answer_p99_ms)}",
            f"{f.verify_per_second:.0f}/s",
            f"{f.received} of {f.accepted - f.dead_lettered}", str(f.dead_lettered),
            f"{f.duplicates:,}", str(f.kicked_out),
            " / ".join(_ms(f.latency_ms[p], f.deadline_s) for p in ("p50", "p95", "p99")),
            " / ".join(_ms(f.stored_ms[p], f.deadline_s) for p in ("p50", "p95", "p99")),
            str(f.backlog_at_start),
        ])  # fmt: skip
    out += _table(
        ["verify processes", "offered", "202s", "202 answer p50 / p99", "through verify",
         "in verify by the deadline", "dead-lettered by verify", "reports seen again",
         "commits refused",
         "202 → received p50 / p95 / p99",
         "202 → stored p50 / p95 / p99", "queued before the run"],
        rows,
    )  # fmt: skip
    out += ["Command:", "", "```", figs[0].command, "```", ""]
    return out


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
        f"p50 {_ms(first_p(g, 50))}, p90 {_ms(first_p(g, 90))}, p99 {_ms(first_p(g, 99))},",
        f"max {_ms(max(g.first_ms))}.",
        "",
        "The same version asked again, timed with wrk as a reviewer:",
        "",
    ]
    out += _table(
        ["connections", "answers/s", "p50", "p90", "p99", "max"],
        [
            [str(c), f"{res.ok_per_second:,.1f}", _ms(res.p50_ms), _ms(res.p90_ms),
             _ms(res.p99_ms), _ms(res.max_ms)]
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
        [run.name, *_wrk_row(run.feed), *_wrk_row(run.bare), f"{run.ratio:.2f}",
         f"{run.bare_middleware.ok_per_second:,.0f}",
         f"{run.bare_middleware.ok_per_second / run.bare.ok_per_second:.2f}"]
        for run in f.runs
    ]  # fmt: skip
    out += _table(
        ["request", "feed /s", "p50", "p99", "bare /s", "p50", "p99", "ratio",
         "bare + middleware /s", "its ratio"],
        rows,
    )  # fmt: skip
    out += ["Commands:", "", "```", *(r.feed.command for r in f.runs), "```", ""]
    return out


def resources_section(s: Sampler) -> list[str]:
    phases = [p for p in s.wall if p not in ("start", WHOLE_RUN)] + [WHOLE_RUN]
    parts = [p for p in PARTS if p in s.rss[WHOLE_RUN]]
    out = [
        "## Memory and CPU",
        "",
        "Sampled with psutil every 0.2 s. Peak RSS (MB):",
        "",
    ]
    out += _table(
        ["phase", *parts],
        [[ph, *(f"{s.rss[ph][p] / MB:.0f}" if p in s.rss[ph] else "–" for p in parts)]
         for ph in phases],
    )  # fmt: skip
    out += ["Average CPU use (cores; 2 would be the whole machine):", ""]
    out += _table(
        ["phase", *parts],
        [[ph, *(f"{s.cores(ph, p):.2f}" if p in s.cpu[ph] else "–" for p in parts)]
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


def render(r: Results, gaps: list[str] | None = None) -> str:
    when = datetime.fromtimestamp(r.started, UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`python -m bench`) on {when}, in {r.minutes:.1f} min. Every",
        "figure was measured in this one run, beside its bare baseline, on the bench's own",
        "embedded stack (`bench/.run`, free ports), with load from separate processes over",
        "loopback. Figures are ratios because the machine is shared: see the load averages.",
        "",
    ]
    out += summary(r)
    if r.errors:
        out += ["**Not measured in this run** (the error each figure stopped on):", ""]
        out += [f"- {name}: `{why[:300]}`" for name, why in r.errors.items()]
        out.append("")
    out += gaps or []
    out += context(r)
    if r.ingest:
        out += ingest_section(r.ingest)
    if r.e2e:
        out += e2e_section(r.e2e)
    if r.gate:
        out += gate_section(r.gate)
    if r.feeds:
        out += feeds_section(r.feeds)
    if r.sampler:
        out += resources_section(r.sampler)
    if r.detection:
        out += detection_section(r.detection)
    if r.memory:
        out += ["## Claim memory", "", *memory_lines(r.memory), ""]
    profiles = [p for f in r.e2e for p in f.profiles]
    profiles += r.gate.profiles if r.gate else []
    profiles += r.feeds.profiles if r.feeds else []
    profiles += r.ingest.profiles if r.ingest else []
    if profiles:
        out += profiles_section(profiles)
    return "\n".join(out).rstrip() + "\n"
