"""The lookup key of a statement: MinHash over its term set, cut into LSH bands.

Two statements that share a band are candidates; only candidates are compared. A band
is one 64-bit integer, so the store keeps a claim's bands as an array with a multikey
index and finds the candidates of a new claim with one indexed query: bounded, shared by
every replica, and kept across restarts.

Why not datasketch: its MinHash is these few lines of universal hashing on top of numpy
and scipy (both would come into every verify image for it), and its LSH index keeps its
buckets in memory or in Redis/Cassandra, not in the store the claims are in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

# 16 bands of 2 rows: a pair whose term sets have Jaccard similarity J becomes a
# candidate with probability 1 - (1 - J^2)^16: 0.99 at J = 0.5, 0.93 at J = 0.4, 0.78 at
# J = 0.3, 0.04 at J = 0.05. Every same-claim pair of the pair sets has J >= 0.3, and all
# of them share a band; more bands would grow the index (one key per band and claim).
BANDS = 16
ROWS = 2
_PRIME = (1 << 61) - 1  # a Mersenne prime: (a*x + b) mod p is a universal hash family


def _seeded(i: int) -> tuple[int, int]:
    digest = hashlib.blake2b(f"newsroom-claim-memory-{i}".encode(), digest_size=16).digest()
    return int.from_bytes(digest[:8], "big") % (_PRIME - 1) + 1, int.from_bytes(digest[8:], "big")


_PERMUTATIONS = tuple(_seeded(i) for i in range(BANDS * ROWS))


def _hash(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "big")


def signature(terms: Iterable[str]) -> tuple[int, ...]:
    """The MinHash signature of a term set (empty set: empty signature)."""
    hashes = [_hash(t) for t in set(terms)]
    if not hashes:
        return ()
    return tuple(min((a * h + b) % _PRIME for h in hashes) for a, b in _PERMUTATIONS)


def bands(terms: Iterable[str]) -> list[int]:
    """The statement's band keys: signed 64-bit integers, one per band (none when it has
    no terms), each naming its band so equal rows in different bands do not collide."""
    sig = signature(terms)
    if not sig:
        return []
    keys: list[int] = []
    for band in range(BANDS):
        rows = ",".join(str(v) for v in sig[band * ROWS : (band + 1) * ROWS])
        digest = hashlib.blake2b(f"{band}:{rows}".encode(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys
