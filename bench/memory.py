"""Claim memory: how well the matcher does on the labelled pairs, what one lookup costs
against 100,000 stored claims in the real store, and how much the store grows.

`python -m bench.memory [--claims N]` prints the figures (it starts its own SecantusDB
under a temporary folder). Background claims are news sentences of the detection
fixtures with half their words swapped for others of the same vocabulary and fresh
numbers, so word frequencies stay those of news English; the 37 first claims of the
pair sets are stored among them as reviewed claims of other stories, and every second
claim of the pair sets is looked up against the whole store.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from tests.memory.pairs import SETS, Score, load, score
from tests.support.infra import Infra
from verify.detection import split_sentences
from verify.memory import read
from verify.memory.lookup import matches
from verify.memory.repository import BANDS, candidates, fields
from verify.memory.statement import read_plain

STORIES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "stories"
CLAIMS = 100_000
_WORD = re.compile(r"[^\W\d_]+|\d+")


@dataclass
class MemoryFigure:
    sets: dict[str, Score]
    claims: int = 0
    lookups_ms: list[float] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    found_same: int = 0  # "same" pairs whose first claim came back as a match
    same_pairs: int = 0
    found_differ: int = 0  # near misses whose first claim came back (should be 0)
    differ_pairs: int = 0
    data_bytes: int = 0  # the memory fields of `claims` claims
    index_bytes: int = 0  # their band index
    insert_s: float = 0.0

    def ms(self, q: float) -> float:
        ordered = sorted(self.lookups_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def pair_figures() -> dict[str, Score]:
    return {name: score(load(name)) for name in SETS}


def _background(n: int, seed: int) -> list[str]:
    sentences: list[str] = []
    for path in sorted(STORIES.glob("*.txt")):
        body = path.read_text(encoding="utf-8")
        sentences += [body[a:b] for a, b in split_sentences(body)]
    vocabulary = sorted({w for s in sentences for w in _WORD.findall(s) if not w.isdigit()})
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(n):
        words = _WORD.findall(rng.choice(sentences))
        out.append(
            " ".join(
                str(rng.randint(2, 5000))
                if w.isdigit()
                else (rng.choice(vocabulary) if rng.random() < 0.5 else w)
                for w in words
            )
        )
    return out


def lookup_figures(figure: MemoryFigure, n: int, seed: int = 7) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as root:
        infra = Infra(Path(root))
        infra.start_store()
        try:
            _measure(figure, MongoClient(infra.mongo_url)["bench_memory"], n, seed)
        finally:
            infra.stop()


def _measure(figure: MemoryFigure, db: Any, n: int, seed: int) -> None:
    claims = db["claims"]
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    for i, text in enumerate(_background(n, seed)):
        batch.append({"claim_id": f"bg{i}", "story_id": f"s{i // 20}", **fields(read_plain(text))})
        if len(batch) == 10_000:
            claims.insert_many(batch, ordered=False)
            batch = []
            print(f"  {i + 1:,} claims stored", flush=True)
    if batch:
        claims.insert_many(batch, ordered=False)
    # One build of the band index after the load: much faster than growing it per insert.
    claims.create_index(BANDS)
    figure.insert_s = time.perf_counter() - started
    figure.claims = n
    stats = db.command("collStats", "claims")
    figure.data_bytes = int(stats.get("size", 0))
    figure.index_bytes = int(stats.get("indexSizes", {}).get(f"{BANDS}_1", 0))
    pairs = [p for name in SETS for p in load(name)]
    firsts = sorted({p.first for p in pairs})
    ids = {text: f"known{i}" for i, text in enumerate(firsts)}
    claims.insert_many(
        [{"claim_id": ids[t], "story_id": f"k{i}", **fields(read(t))} for i, t in enumerate(firsts)]
    )
    for pair in pairs:
        began = time.perf_counter()
        statement = read(pair.second)
        found = candidates(claims, fields(statement)[BANDS], other_than_story="new")
        hits = matches(statement, found)
        figure.lookups_ms.append((time.perf_counter() - began) * 1000)
        figure.candidates.append(len(found))
        known = any(m.claim_id == ids[pair.first] for m in hits)
        if pair.same:
            figure.same_pairs += 1
            figure.found_same += known
        elif pair.kind != "unrelated":
            figure.differ_pairs += 1
            figure.found_differ += known


def run(n: int = CLAIMS) -> MemoryFigure:
    figure = MemoryFigure(sets=pair_figures())
    lookup_figures(figure, n)
    return figure


def lines(figure: MemoryFigure) -> list[str]:
    out = ["| set | pairs | precision | recall | right per kind |", "|---|---|---|---|---|"]
    for name, s in figure.sets.items():
        kinds = ", ".join(f"{k} {s.per_kind[k]}/{t}" for k, t in sorted(s.kinds.items()))
        out.append(f"| {name} | {s.pairs} | {s.precision:.3f} | {s.recall:.3f} | {kinds} |")
    if figure.lookups_ms:
        per = 100_000 / figure.claims
        out += [
            "",
            f"Lookup of one new claim against {figure.claims:,} stored claims (read, bands, "
            f"indexed candidates, comparison), {len(figure.lookups_ms)} lookups: "
            f"p50 {figure.ms(0.5):.1f} ms, p99 {figure.ms(0.99):.1f} ms; candidates per "
            f"lookup median {statistics.median(figure.candidates):.0f}, "
            f"max {max(figure.candidates)}.",
            f"Found among them: {figure.found_same}/{figure.same_pairs} same-claim pairs, "
            f"{figure.found_differ}/{figure.differ_pairs} near misses.",
            f"Store growth per 100,000 claims: {figure.data_bytes * per / 1e6:.1f} MB of "
            f"memory fields, {figure.index_bytes * per / 1e6:.1f} MB of band index "
            f"(inserted in {figure.insert_s:.0f} s).",
        ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__)
    parser.add_argument("--claims", type=int, default=CLAIMS)
    parser.add_argument("--pairs-only", action="store_true")
    args = parser.parse_args()
    if args.pairs_only:
        print("\n".join(lines(MemoryFigure(sets=pair_figures()))))
        return
    print("\n".join(lines(run(args.claims))))


if __name__ == "__main__":
    main()
