"""Where the pipeline's gaps come from (verify against detection alone, end to end, the
burst): this run's CPU use per process and profiles, put into words for ``results.md``.
"""

from __future__ import annotations

from bench.e2e import E2EFigure
from bench.profile import Profile
from bench.report import TARGETS, Results, half_rate_run
from bench.sampler import Sampler

WAITS = ("Condition.wait", "recv_into", "EpollSelector.select", "Runner.run", "Event.wait")


def profile_named(profiles: list[Profile], *names: str) -> Profile | None:
    return next((p for p in profiles if all(n in p.name for n in names)), None)


def own_work(p: Profile, top: int = 5) -> str:
    """The frames a process spends its samples in, waits left out."""
    busy = sorted(
        ((n, frame) for frame, n in p.spent.items() if not any(w in frame for w in WAITS)),
        reverse=True,
    )[:top]
    return ", ".join(f"`{frame.split(' (')[0]}` {100 * n / p.samples:.0f}%" for n, frame in busy)


# SecantusDB 0.7 (`storage.py`): an insert works out, for each document, the options of
# every index of its collection three times (geo validation, the unique check, the index
# entries), each time by reading and decoding the collection's whole index catalog.
INSERT = "Storage.insert"
CATALOG = "Storage._index_options_map"


def store_writes(p: Profile) -> str:
    """How much of the store's samples its inserts take, and the catalog reads in them."""
    inserts, catalog = p.share_within(INSERT), p.share_within(CATALOG)
    if not inserts:
        return ""
    return (
        f" Inserting documents took {inserts:.0f}% of the store's samples, and "
        f"{catalog:.0f}% ({catalog / inserts:.0%} of the inserts' samples) went to reading "
        "its index catalog again for each document "
        f"(`{CATALOG}`, three times a document, each decoding every index of the "
        "collection): the store's cost grows with the documents written and the indexes "
        "each one has, which is why the services write few of both."
    )


def _verify_shares(p: Profile) -> str:
    """What verify's consumer thread does with its samples, by step of a round."""
    steps = (
        ("detection futures (waiting on the pool)", "ReportStrategy.prepare"),
        ("waiting for a detection", "wait (concurrent/futures"),
        ("storing new stories together", "ReportStrategy.write"),
        ("storing each revision", "ReportStrategy.handle"),
        ("sending receipts", "EventProducer.send_all"),
        ("committing offsets", "BatchConsumerLoop._commit"),
        ("the snapshot outbox", "OutboxWorker.send_due"),
    )
    found = [(name, p.share_within(frame)) for name, frame in steps]
    return ", ".join(f"{name} {share:.0f}%" for name, share in found if share >= 1)


def verify_gap(r: Results) -> list[str]:
    if r.verify is None:
        return []
    v = r.verify
    met = v.ratio >= TARGETS["verify_ratio"]
    text = (
        f"**Verify against detection alone ({v.ratio:.2f}; target "
        f"{TARGETS['verify_ratio']:.2f}, {'met' if met else 'missed'}).** Detection alone "
        f"runs {v.alone_per_second:.1f} stories/s in {v.processes} processes; verify drains "
        f"{v.verify_per_second:.1f}/s with a pool of the same size, and its own process, the "
        "store and the broker take the same two cores."
    )
    p_verify = profile_named(v.profiles, "drain", ": verify")
    p_store = profile_named(v.profiles, "drain", ": store")
    if p_verify:
        text += (
            f" Verify's main process while it drains ({p_verify.samples} samples): "
            f"{_verify_shares(p_verify)}; its own work: {own_work(p_verify)}."
        )
    if p_store:
        text += (
            f" The store's ({p_store.samples} samples): its own work {own_work(p_store)}: "
            "every write of a batch goes through one Python server that takes one storage "
            "lock per command."
            f"{store_writes(p_store)}"
        )
    return [text, ""]


def _phase(fig: E2EFigure) -> str:
    """The sampler's name for the phase of ``fig`` (as bench/__main__.py names it)."""
    return f"end to end at {fig.rate:g}/s, {'one' if fig.consumers == 1 else 'two'} verify"


def _cores(s: Sampler, phase: str) -> dict[str, float]:
    """Cores used per part in ``phase``; a service's workers added to it."""
    used: dict[str, float] = {}
    for part in s.cpu.get(phase, {}):
        base = part.split(" worker ")[0]
        used[base] = used.get(base, 0.0) + s.cores(phase, part)
    return used


def e2e_gap(r: Results) -> list[str]:
    half = half_rate_run(r)
    loaded = [f for f in r.e2e if f is not half]
    out: list[str] = []
    if loaded and r.sampler:
        parts = []
        for f in loaded:
            used = _cores(r.sampler, _phase(f))
            total = sum(used.values())
            top = sorted(used.items(), key=lambda kv: kv[1], reverse=True)
            named = ", ".join(f"{k} {v:.2f}" for k, v in top if v >= 0.05)
            parts.append(
                f"with {f.consumers} verify replica(s), {f.verify_per_second:.1f}/s through "
                f"verify, {total:.2f} of the 2 cores busy ({named})"
            )
        text = (
            f"**The sustained rate and where the limit is.** Offered {loaded[0].rate:g} "
            "reports/s (more than verify takes), the pipeline sustained: "
            + "; ".join(parts)
            + ". Verify's detection pool takes every core it is given, and the store (one "
            "Python process) answers every write of ingest and verify in turn: when both "
            "cores are busy, a second verify replica shares them rather than adding any, "
            "so the limit is the machine's two cores, divided between detection and the "
            "store."
        )
        p = profile_named([p for f in loaded for p in f.profiles], "e2e-1", ": verify")
        if p:
            text += f" Verify's main process under that load: {_verify_shares(p)}."
        out += [text, ""]
    if half:
        met = half.stored_ms["p99"] <= TARGETS["e2e_p99_ms"]
        out += [
            f"**End to end at half the sustained rate ({half.rate:g}/s; p99 "
            f"{half.stored_ms['p99']:,.0f} ms to claims stored, target "
            f"{TARGETS['e2e_p99_ms']:,.0f} ms, {'met' if met else 'missed'}).** "
            f"p50 {half.stored_ms['p50']:,.0f} ms: a report waits for ingest's relay (woken "
            "at once), the broker, verify's poll, detection in the pool, and the batch's "
            "transaction; the tail is a poll batch that waits for the slowest story in it "
            "and for the store while ingest writes too.",
            "",
        ]
    return out


def burst_gap(r: Results) -> list[str]:
    if r.burst is None:
        return []
    b = r.burst
    rate = b.in_verify / b.drain_seconds if b.drain_seconds else 0.0
    return [
        f"**The burst ({b.offered:,} reports).** Ingest took {b.accepted:,} in "
        f"{b.send_seconds:.0f} s with {b.server_errors} 5xx; verify took them in at "
        f"{rate:.1f}/s on average ({b.falling_per_second:.1f}/s over the last minute): the "
        "rate verify sustains (above), the backlog waiting on the broker meanwhile "
        f"(`newsroom_consumer_backlog`). Ingest's relay sent {b.sends:,} messages for them "
        f"(warm-up included) and verify saw {b.seen_again:,} reports again: a report is "
        "re-sent only once verify has confirmed one accepted well after it, or when receipts "
        "stop (`ingest/relay.py` `ReceiptWatch`), so a backlog is not re-sent onto itself. "
        + (
            "Every accepted report reached verify."
            if not b.waiting
            else f"{b.waiting:,} were still on their way when the bench stopped waiting "
            f"({b.lost} lost: ingest keeps each until verify's receipt)."
        ),
        "",
    ]
