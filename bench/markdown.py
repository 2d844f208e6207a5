"""Markdown helpers shared by the report's parts: numbers as the report writes them, and
tables."""

from __future__ import annotations

import math

from bench.load import Result


def ms(value: float, deadline: float | None = None) -> str:
    if math.isinf(value):
        return f"> {deadline:g} s (not in verify)" if deadline else "∞"
    if math.isnan(value):
        return "–"
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def ratio(value: float) -> str:
    return f"{value:.3f}" if value < 0.1 else f"{value:.2f}"


def met(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def wrk_row(result: Result) -> list[str]:
    return [f"{result.ok_per_second:,.0f}", ms(result.p50_ms), ms(result.p99_ms)]
