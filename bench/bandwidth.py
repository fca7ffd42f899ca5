"""The streaming-bandwidth ceiling PageRank is measured against (a STREAM triad)."""

from __future__ import annotations

import time

import numba
import numpy as np

__all__ = ["triad_gbps", "pagerank_bytes"]


@numba.njit(parallel=True, cache=True)
def _triad(a, b, c, scalar):
    for i in numba.prange(a.size):
        a[i] = b[i] + scalar * c[i]


def triad_gbps(num_doubles: int = 1 << 25, repeat: int = 5) -> float:
    """Best GB/s of ``a = b + s * c`` over ``repeat`` runs on the current thread count.

    Counts 24 bytes per element (two reads, one write), as STREAM does.
    """
    a, b, c = np.empty(num_doubles), np.ones(num_doubles), np.full(num_doubles, 2.0)
    _triad(a, b, c, 3.0)  # compiles or loads, and touches every page
    best = min(_time(lambda: _triad(a, b, c, 3.0)) for _ in range(repeat))
    return 24 * num_doubles / best / 1e9


def _time(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def pagerank_bytes(num_nodes: int, num_arcs: int, index_bytes: int, iterations: int) -> int:
    """Bytes a pull PageRank must stream, at least: per iteration the arc targets
    (``index_bytes`` each), the row pointers, and per node its degree and three
    float64 streams (the contributions read, the old and the new rank)."""
    per_iteration = num_arcs * index_bytes + num_nodes * (2 * index_bytes + 3 * 8)
    return per_iteration * iterations
