"""``bench/results.md``: every figure of the run against its baseline and its target (the
table here), the machine, its load, the versions and settings; each part's own section
(:mod:`bench.sections`) and where each gap comes from (:mod:`bench.gaps`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.burst import BurstFigure
from bench.detection import DetectionFigure
from bench.e2e import E2EFigure
from bench.feeds import FeedFigure
from bench.gate import GateFigure, first_p
from bench.ingest import IngestFigure
from bench.markdown import met, ms, ratio, table
from bench.memory import MemoryFigure
from bench.memory import lines as memory_lines
from bench.sampler import WHOLE_RUN, WITH_WORKERS, Sampler
from bench.sections import (
    MB,
    SERVICES,
    burst_section,
    detection_section,
    e2e_section,
    feeds_section,
    gate_section,
    ingest_section,
    profiles_section,
    resources_section,
    verify_section,
)
from bench.verify_ratio import VerifyRatio

TARGETS = {
    "ingest": 0.25,  # of the parse-only bare endpoint
    "ingest_store": 2.0,  # of the bare FastAPI + pymongo insert_one endpoint
    "verify_ratio": 0.5,  # of detection alone, same cores, same processes
    "e2e_p99_ms": 1000.0,  # 202 -> claims stored, at half the rate one verify sustains
    "gate_ms": 50.0,
    "feeds_304": 0.80,  # of bare
    "rss_mb": 300.0,
    "detection_ms": 4.0,  # CPU per distinct 3 KB story (issue 16); absolute, so machine-bound
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
    verify: VerifyRatio | None = None
    burst: BurstFigure | None = None
    detection: DetectionFigure | None = None
    memory: MemoryFigure | None = None
    sampler: Sampler | None = None
    minutes: float = 0.0
    errors: dict[str, str] = field(default_factory=dict)  # figure -> why it was not measured
    quick: bool = False


# --- the summary --------------------------------------------------------------------------


def _peak(levels: list, side: str) -> float:  # type: ignore[type-arg]
    return max(getattr(lv, side).ok_per_second for lv in levels)


def half_rate_run(r: Results) -> E2EFigure | None:
    """The end-to-end run at half the sustained rate (the last one-verify run)."""
    low = [f for f in r.e2e if f.consumers == 1]
    return low[-1] if len(low) > 1 else None


def burst_drain(b: BurstFigure) -> str:
    """How far the burst's drain got: its time, or where the cap (a guard against a hang)
    found it."""
    if not b.waiting:
        return f"drained in {b.drain_seconds:,.0f} s"
    more = f", about {b.waiting / b.falling_per_second:,.0f} s more at that rate" if (
        b.falling_per_second > 0) else ""  # fmt: skip
    return (
        f"{b.in_verify:,} of {b.accepted:,} in verify after {b.drain_seconds:,.0f} s (the "
        f"bench's cap), the backlog falling at {b.falling_per_second:.1f}/s at the end{more}"
    )


def summary(r: Results) -> list[str]:
    rows = []
    if r.verify:
        v = r.verify
        rows.append([
            "verify sustained stories/s ÷ detection alone (3 KB stories, claims stored, "
            "receipts sent)",
            f"{v.ratio:.2f} ({v.verify_per_second:.1f}/s against {v.alone_per_second:.1f}/s, "
            f"{v.processes} detection processes each, {v.reports} reports)",
            f"≥ {TARGETS['verify_ratio']:.2f}",
            met(v.ratio >= TARGETS["verify_ratio"]),
        ])  # fmt: skip
    half = half_rate_run(r)
    if half:
        p99 = half.stored_ms["p99"]
        rows.append([
            f"end to end, 202 → claims in the queue, at half the sustained rate "
            f"({half.rate:g}/s offered)",
            f"p50 {ms(half.stored_ms['p50'], half.deadline_s)}, p99 "
            f"{ms(p99, half.deadline_s)}; {half.verify_per_second:.1f}/s through verify",
            f"p99 ≤ {TARGETS['e2e_p99_ms']:,.0f} ms",
            met(p99 <= TARGETS["e2e_p99_ms"] and half.received == half.accepted),
        ])  # fmt: skip
    for fig in r.e2e:
        if fig is half:
            continue
        rows.append([
            f"sustained rate through verify, {fig.consumers} verify replica(s), "
            f"{fig.rate:g}/s offered",
            f"{fig.verify_per_second:.1f}/s through verify ({fig.accepted_per_second:.0f}/s "
            "accepted by ingest)",
            "(where the limit is: below)",
            "–",
        ])  # fmt: skip
    if r.burst:
        b = r.burst
        backlog = b.peak('verify newsroom_consumer_backlog{group="verify"}')
        rows.append([
            f"burst of {b.offered:,} reports",
            f"{b.accepted:,} accepted, {b.server_errors} 5xx, {b.lost} lost; {burst_drain(b)}; "
            f"backlog in /metrics up to {backlog:,.0f}",
            "no 5xx, nothing lost, backlog visible; the time to drain",
            met(b.server_errors == 0 and b.lost == 0 and b.waiting == 0 and backlog > 0),
        ])  # fmt: skip
    if r.ingest:
        levels = r.ingest.levels
        ingest, bare, store = (_peak(levels, s) for s in ("ingest", "bare", "store"))
        rows.append([
            "ingest ÷ bare FastAPI + pymongo `insert_one` (best level each)",
            f"{ingest / store:.2f} ({ingest:,.0f}/s against {store:,.0f}/s)",
            f"≥ {TARGETS['ingest_store']:.2f}",
            met(ingest / store >= TARGETS["ingest_store"]),
        ])  # fmt: skip
        rows.append([
            "ingest ÷ bare parse-only FastAPI (best level each)",
            f"{ratio(ingest / bare)} ({ingest:,.0f}/s against {bare:,.0f}/s)",
            f"≥ {TARGETS['ingest']:.2f}",
            met(ingest / bare >= TARGETS["ingest"]),
        ])  # fmt: skip
    if r.gate:
        g = r.gate
        rows.append([
            f"gate, story of {g.blockers} claims, first answer for a new version",
            f"p50 {ms(first_p(g, 50))}, p99 {ms(first_p(g, 99))} "
            f"({len(g.first_ms)} versions, one at a time)",
            f"≤ {TARGETS['gate_ms']:.0f} ms",
            met(first_p(g, 99) <= TARGETS["gate_ms"]),
        ])  # fmt: skip
        rows.append([
            f"gate, story of {g.blockers} claims, the same version asked again",
            f"p50 {ms(g.one.p50_ms)}, p99 {ms(g.one.p99_ms)} (one request at a time)",
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
                met(run.ratio >= TARGETS["feeds_304"]) if conditional else "–",
            ])  # fmt: skip
    if r.detection:
        rows.append([
            "claim detection alone, CPU per distinct 3 KB story (200 stories, caches cleared, "
            "median of 3 rounds)",
            f"{r.detection.cpu_ms:.2f} ms, {r.detection.state}; the plain sources "
            f"{r.detection.pure_cpu_ms:.2f} ms (the load's stories one by one: "
            f"{r.detection.load_story_ms:.2f} ms wall)",
            f"≤ {TARGETS['detection_ms']:.0f} ms",
            met(r.detection.cpu_ms <= TARGETS["detection_ms"]),
        ])  # fmt: skip
    whole = r.sampler.rss[WHOLE_RUN] if r.sampler else {}
    services = [p for p in SERVICES if p in whole]  # none when `--only detection`
    peaks = {p: whole.get(f"{p}{WITH_WORKERS}", whole[p]) / MB for p in services}
    if peaks:
        worst = max(peaks, key=lambda p: peaks[p])
        rows.append([
            "memory, peak RSS of each service with its worker processes (whole bench)",
            ", ".join(f"{p} {peaks[p]:.0f} MB" for p in services)
            + f"; the store {whole.get('store', 0) / MB:.0f} MB",
            f"≤ {TARGETS['rss_mb']:.0f} MB per service",
            met(peaks[worst] <= TARGETS["rss_mb"]),
        ])  # fmt: skip
    return ["## Figures against their targets", "", *table(
        ["figure", "this run", "target", ""], rows)]  # fmt: skip


# --- the context ----------------------------------------------------------------------------


def context(r: Results) -> list[str]:
    out = ["## Machine, load, versions, settings", ""]
    out += table(["", ""], [[k, v] for k, v in r.machine.items()])
    out += ["Load average (1, 5, 15 min) as each part of the run began. The bench's own",
            "processes raise it (the end-to-end load alone keeps both cores busy); anything",
            "above that is other work on this shared machine:", ""]  # fmt: skip
    out += table(
        ["part", "load average"],
        [[name, " / ".join(f"{x:.2f}" for x in load)] for name, load in r.loads],
    )
    out += table(["component", "version"], [[k, v] for k, v in r.versions.items()])
    out += ["Settings of the bench stack (every other setting is the default):", ""]
    out += table(["setting", "value", "why"], [list(row) for row in r.settings])
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
    if r.quick:
        out += ["**A quick run (`BENCH_QUICK=1`): every part smaller; a check of the bench,",
                "not figures.**", ""]  # fmt: skip
    if r.errors:
        out += ["**Not measured in this run** (the error each figure stopped on):", ""]
        out += [f"- {name}: `{why[:300]}`" for name, why in r.errors.items()]
        out.append("")
    out += gaps or []
    out += context(r)
    if r.verify:
        out += verify_section(r.verify)
    if r.ingest:
        out += ingest_section(r.ingest)
    if r.burst:
        out += burst_section(r.burst)
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
    profiles = list(r.verify.profiles) if r.verify else []
    profiles += [p for f in r.e2e for p in f.profiles]
    profiles += r.gate.profiles if r.gate else []
    profiles += r.feeds.profiles if r.feeds else []
    profiles += r.ingest.profiles if r.ingest else []
    if profiles:
        out += profiles_section(profiles)
    return "\n".join(out).rstrip() + "\n"
