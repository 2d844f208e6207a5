"""``bench/ingest.png``: ingest's throughput and latency against concurrency, beside the
bare endpoint's, from one run."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from bench.burst import BurstFigure
from bench.ingest import IngestFigure


def ingest_plot(figure: IngestFigure, path: Path) -> None:
    levels = [level.connections for level in figure.levels]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=110)

    left.plot(levels, [lv.bare.ok_per_second for lv in figure.levels], "o--", label="bare FastAPI")
    left.plot(levels, [lv.store.ok_per_second for lv in figure.levels], "s:",
              label="bare FastAPI + insert_one")  # fmt: skip
    left.plot(levels, [lv.ingest.ok_per_second for lv in figure.levels], "o-", label="ingest")
    for level in figure.levels:
        left.annotate(
            f"{level.ratio:.2f}×",
            (level.connections, level.ingest.ok_per_second),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
            fontsize=8,
        )
    left.set_title("Accepted reports per second (label: ingest ÷ parse-only bare)")
    left.set_ylabel("requests/s (2xx, log scale)")
    left.set_yscale("log")

    series = (
        ("bare", [lv.bare for lv in figure.levels], "--", "tab:blue"),
        ("bare + insert_one", [lv.store for lv in figure.levels], ":", "tab:green"),
        ("ingest", [lv.ingest for lv in figure.levels], "-", "tab:orange"),
    )
    for name, results, style, color in series:
        right.plot(levels, [r.p50_ms for r in results], "o" + style, color=color,
                   label=f"{name} p50")  # fmt: skip
        right.plot(levels, [r.p99_ms for r in results], "^" + style, color=color, alpha=0.6,
                   label=f"{name} p99")  # fmt: skip
    right.set_title("Latency")
    right.set_ylabel("ms (log scale)")
    right.set_yscale("log")

    for axis in (left, right):
        axis.set_xscale("log", base=2)
        axis.set_xticks(levels, [str(c) for c in levels])
        axis.set_xlabel("concurrent connections (wrk, closed loop)")
        axis.grid(True, alpha=0.3)
        axis.legend()
    fig.suptitle(f"POST /v1/reports, {figure.body_bytes} B stories: ingest against bare endpoints")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def burst_plot(figure: BurstFigure, path: Path) -> None:
    """The backlog as the services' /metrics showed it while the burst drained."""
    fig, axis = plt.subplots(figsize=(9, 4), dpi=110)
    for name, points in sorted(figure.series.items()):
        if points:
            axis.plot([t for t, _ in points], [v for _, v in points], label=name)
    if figure.progress:
        axis.plot([t for t, _ in figure.progress], [n for _, n in figure.progress],
                  color="black", label="reports in verify")  # fmt: skip
    drained = "all in verify" if not figure.waiting else "the bench's cap"
    axis.axvline(figure.drain_seconds, color="grey", linestyle="--", label=drained)
    axis.set_xlabel("seconds since the first report of the burst")
    axis.set_ylabel("records / rows")
    axis.set_title(f"A burst of {figure.offered:,} reports: backlog in /metrics while it drains")
    axis.grid(True, alpha=0.3)
    axis.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
