"""``bench/ingest.png``: ingest's throughput and latency against concurrency, beside the
bare endpoint's, from one run."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from bench.ingest import IngestFigure


def ingest_plot(figure: IngestFigure, path: Path) -> None:
    levels = [level.connections for level in figure.levels]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=110)

    left.plot(levels, [lv.bare.ok_per_second for lv in figure.levels], "o--", label="bare FastAPI")
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
    left.set_title("Accepted reports per second (label: ingest ÷ bare)")
    left.set_ylabel("requests/s (2xx, log scale)")
    left.set_yscale("log")

    series = (
        ("bare", [lv.bare for lv in figure.levels], "--", "tab:blue"),
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
    fig.suptitle(f"POST /v1/reports, {figure.body_bytes} B stories: ingest against a bare endpoint")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
