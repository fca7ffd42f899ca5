"""Hand-written single-source shortest paths: the oracle and performance ceiling.

``delta_stepping``
    Delta-stepping (Meyer and Sanders, 2003) in the form of the GAP benchmark
    suite's ``sssp.cc``: nodes wait in buckets of width ``delta`` by tentative
    distance; the smallest non-empty bucket is relaxed (all out-arcs, light
    and heavy alike) until it stays empty, then the next one.
``bellman_ford_frontier``
    Frontier Bellman-Ford: each round relaxes the out-arcs of the nodes whose
    distance dropped in the previous round.

Both compute distances only, for non-negative weights.

No atomics, no racy stores. GAP relaxes an arc with an atomic
compare-and-swap minimum on ``dist[v]``. Here every relaxation round runs in
two phases:

1. in parallel, every chunk of the frontier scans its nodes' out-arcs and
   writes the improving ``(v, dist[u] + w)`` candidates into its own slice of
   a buffer (it reads ``dist`` and writes nothing shared);
2. one thread applies the candidates in frontier order (``dist[v] =
   min(dist[v], d)``) and files every improved node into its bucket.

Phase 2 touches only the improving candidates, which on small-world graphs
are few compared with the arcs scanned in phase 1. Distances are exact and
do not depend on the thread count: each is the smallest, over all paths, of
the floating-point sum of the path's weights taken in path order. Rounds
over fewer than ``serial_arcs`` arcs, and graphs with fewer than
``SMALL_GRAPH`` nodes + arcs, run on one thread.
"""

from __future__ import annotations

import numba
import numpy as np

from .common import JIT, SERIAL, SMALL_GRAPH, call

__all__ = ["delta_stepping", "bellman_ford_frontier"]

# Number of chunks the parallel relaxation is split into (at most).
NCHUNKS = 256
# Frontiers with fewer out-arcs than this are relaxed by one thread: waking
# the other threads costs more than the work.
SERIAL_ARCS = 4096


@numba.njit(**SERIAL)
def _frontier_chunks(indptr, frontier, fsize, serial_arcs):
    """Degree prefix sums of the frontier and chunk boundaries of about
    equal work (``1 + out-degree`` per node). Returns ``(degsum, bounds)``;
    chunk ``c`` relaxes ``frontier[bounds[c]:bounds[c + 1]]`` and writes its
    candidates from ``degsum[bounds[c]]`` on."""
    degsum = np.empty(fsize + 1, dtype=np.int64)
    degsum[0] = 0
    for i in range(fsize):
        u = frontier[i]
        degsum[i + 1] = degsum[i] + (np.int64(indptr[u + 1]) - np.int64(indptr[u]))
    total = degsum[fsize]
    if total < serial_arcs:
        nchunks = 1
    else:
        nchunks = min(NCHUNKS, fsize)
    bounds = np.empty(nchunks + 1, dtype=np.int64)
    bounds[0] = 0
    i = 0
    for c in range(1, nchunks):
        target = (total + fsize) * c // nchunks
        while i < fsize and degsum[i] + i < target:
            i += 1
        bounds[c] = i
    bounds[nchunks] = fsize
    return degsum, bounds


@numba.njit(**JIT)
def _relax_parallel(indptr, indices, weights, dist, frontier, degsum, bounds, cand_v, cand_d, counts):
    """Phase 1 on many threads: improving candidates per chunk (reads only)."""
    nchunks = bounds.shape[0] - 1
    for c in numba.prange(nchunks):
        k = degsum[bounds[c]]
        start = k
        for i in range(bounds[c], bounds[c + 1]):
            u = frontier[i]
            du = dist[u]
            for j in range(indptr[u], indptr[u + 1]):
                v = indices[j]
                nd = du + weights[j]
                if nd < dist[v]:
                    cand_v[k] = v
                    cand_d[k] = nd
                    k += 1
        counts[c] = k - start


@numba.njit(**SERIAL)
def _relax_serial(indptr, indices, weights, dist, frontier, degsum, bounds, cand_v, cand_d, counts):
    """Phase 1 on one thread (same output as ``_relax_parallel``)."""
    nchunks = bounds.shape[0] - 1
    for c in range(nchunks):
        k = degsum[bounds[c]]
        start = k
        for i in range(bounds[c], bounds[c + 1]):
            u = frontier[i]
            du = dist[u]
            for j in range(indptr[u], indptr[u + 1]):
                v = indices[j]
                nd = du + weights[j]
                if nd < dist[v]:
                    cand_v[k] = v
                    cand_d[k] = nd
                    k += 1
        counts[c] = k - start


@numba.njit(**SERIAL)
def _relax(indptr, indices, weights, dist, frontier, fsize, cand_v, cand_d, serial_arcs):
    """Phase 1: candidates ``(v, d)`` of the frontier's out-arcs with
    ``d < dist[v]``, grouped by chunk in frontier order. Returns
    ``(cand_v, cand_d, degsum, bounds, counts)``, the candidate buffers
    possibly regrown; chunk ``c``'s candidates are at
    ``degsum[bounds[c]] + (0 .. counts[c] - 1)``."""
    degsum, bounds = _frontier_chunks(indptr, frontier, fsize, serial_arcs)
    total = degsum[fsize]
    if total > cand_v.shape[0]:
        cap = max(total, 2 * cand_v.shape[0])
        cand_v = np.empty(cap, dtype=np.int64)
        cand_d = np.empty(cap, dtype=np.float64)
    nchunks = bounds.shape[0] - 1
    counts = np.empty(nchunks, dtype=np.int64)
    if nchunks == 1:
        _relax_serial(indptr, indices, weights, dist, frontier, degsum, bounds, cand_v, cand_d, counts)
    else:
        _relax_parallel(indptr, indices, weights, dist, frontier, degsum, bounds, cand_v, cand_d, counts)
    return cand_v, cand_d, degsum, bounds, counts


@numba.njit(**SERIAL)
def _grow(a, size, fill):
    """A copy of ``a`` extended to ``size`` entries with ``fill``."""
    b = np.empty(size, dtype=a.dtype)
    for i in range(a.shape[0]):
        b[i] = a[i]
    for i in range(a.shape[0], size):
        b[i] = fill
    return b


@numba.njit(**SERIAL)
def _bucket_index(d, delta):
    return np.int64(np.floor(d / delta))


@numba.njit(**SERIAL)
def _delta_stepping(indptr, indices, weights, source, delta, serial_arcs):
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    dist[source] = 0.0
    # Buckets are singly linked lists in a pool: head[b] is the last entry
    # filed into bucket b, nxt[e] the entry filed before e, node[e] its node.
    # A node is filed again whenever its distance drops; stale entries are
    # skipped when the bucket is emptied.
    head = np.full(64, -1, dtype=np.int64)
    cap = max(1024, n)
    node = np.empty(cap, dtype=np.int64)
    nxt = np.empty(cap, dtype=np.int64)
    size = 0
    node[0] = source
    nxt[0] = -1
    head[0] = 0
    size = 1
    top = 0  # largest bucket index used so far

    frontier = np.empty(n, dtype=np.int64)
    stamp = np.full(n, -1, dtype=np.int64)  # last frontier a node joined
    epoch = 0
    cand_v = np.empty(1024, dtype=np.int64)
    cand_d = np.empty(1024, dtype=np.float64)
    b = 0
    while b <= top:
        e = head[b]
        if e < 0:
            b += 1
            continue
        head[b] = -1
        # empty bucket b into the frontier: skip duplicates and nodes whose
        # distance has since dropped into an earlier bucket
        fsize = 0
        while e >= 0:
            u = node[e]
            if stamp[u] != epoch and _bucket_index(dist[u], delta) == b:
                stamp[u] = epoch
                frontier[fsize] = u
                fsize += 1
            e = nxt[e]
        epoch += 1
        if fsize == 0:
            continue
        cand_v, cand_d, degsum, bounds, counts = _relax(
            indptr, indices, weights, dist, frontier, fsize, cand_v, cand_d, serial_arcs
        )
        # phase 2: apply in frontier order, file improved nodes
        for c in range(bounds.shape[0] - 1):
            start = degsum[bounds[c]]
            for k in range(start, start + counts[c]):
                v = cand_v[k]
                d = cand_d[k]
                if d < dist[v]:
                    dist[v] = d
                    bi = _bucket_index(d, delta)
                    if bi >= head.shape[0]:
                        head = _grow(head, max(2 * head.shape[0], bi + 1), -1)
                    if size == node.shape[0]:
                        node = _grow(node, 2 * size, 0)
                        nxt = _grow(nxt, 2 * size, 0)
                    node[size] = v
                    nxt[size] = head[bi]
                    head[bi] = size
                    size += 1
                    if bi > top:
                        top = bi
        # bucket b is relaxed again if this round refilled it
    return dist


@numba.njit(**SERIAL)
def _bellman_ford_frontier(indptr, indices, weights, source, serial_arcs):
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    dist[source] = 0.0
    frontier = np.empty(n, dtype=np.int64)
    nxt_frontier = np.empty(n, dtype=np.int64)
    stamp = np.full(n, -1, dtype=np.int64)
    frontier[0] = source
    fsize = 1
    rounds = 0
    cand_v = np.empty(1024, dtype=np.int64)
    cand_d = np.empty(1024, dtype=np.float64)
    while fsize > 0:
        cand_v, cand_d, degsum, bounds, counts = _relax(
            indptr, indices, weights, dist, frontier, fsize, cand_v, cand_d, serial_arcs
        )
        size = 0
        for c in range(bounds.shape[0] - 1):
            start = degsum[bounds[c]]
            for k in range(start, start + counts[c]):
                v = cand_v[k]
                d = cand_d[k]
                if d < dist[v]:
                    dist[v] = d
                    if stamp[v] != rounds:
                        stamp[v] = rounds
                        nxt_frontier[size] = v
                        size += 1
        frontier, nxt_frontier = nxt_frontier, frontier
        fsize = size
        rounds += 1
    return dist


def delta_stepping(indptr, indices, weights, source, delta, serial_arcs=SERIAL_ARCS):
    """Single-source shortest path distances by delta-stepping.

    Parameters
    ----------
    indptr, indices : numpy.ndarray of int32 or int64
        Out-CSR: the arcs of ``u`` are ``indices[indptr[u]:indptr[u + 1]]``.
    weights : numpy.ndarray of float64
        Non-negative arc weights aligned with ``indices``.
    source : int
        The start node, ``0 <= source < n``.
    delta : float
        Bucket width, ``> 0``. Small values approach Dijkstra's order (less
        work, more rounds); large values approach Bellman-Ford (more
        re-relaxation, fewer rounds). ``inf`` is frontier Bellman-Ford.
        The number of buckets is about the largest distance over ``delta``.
    serial_arcs : int, default 4096
        Rounds over fewer frontier out-arcs relax on one thread (same
        result, less overhead); 0 relaxes every round in parallel.

    Returns
    -------
    dist : numpy.ndarray of float64
        Distance from ``source``; ``inf`` for unreachable nodes.

    Raises
    ------
    ValueError
        If a weight is negative or NaN, ``delta`` is not positive, ``source``
        is out of range or the arrays do not form a CSR.

    Notes
    -----
    ``O(n + m)`` work per bucket pass in the worst case; on graphs with
    random weights close to ``O(n + m)`` overall for a good ``delta``
    (GAP's kron and urand runs use widths of tens for weights in
    ``1 .. 255``). The result does not depend on the thread count (see the
    module docstring).

    References
    ----------
    .. [1] U. Meyer and P. Sanders, "Δ-stepping: a parallelizable shortest
       path algorithm", Journal of Algorithms 49(1), 2003.
    .. [2] S. Beamer, K. Asanović and D. Patterson, "The GAP Benchmark Suite",
       arXiv:1508.03619, 2015 (reference code ``sssp.cc``).

    Examples
    --------
    >>> import numpy as np
    >>> indptr = np.array([0, 2, 3, 3], dtype=np.int32)   # 0->1 (5), 0->2 (9), 1->2 (1)
    >>> indices = np.array([1, 2, 2], dtype=np.int32)
    >>> weights = np.array([5.0, 9.0, 1.0])
    >>> delta_stepping(indptr, indices, weights, 0, 4.0).tolist()
    [0.0, 5.0, 6.0]
    """
    indptr, indices, weights, source = _check(indptr, indices, weights, source)
    delta = float(delta)
    if not delta > 0:
        raise ValueError(f"delta must be positive, got {delta}")
    size = indptr.shape[0] + indices.shape[0]
    return call(size < SMALL_GRAPH, _delta_stepping, indptr, indices, weights, source, delta,
                int(serial_arcs))


def bellman_ford_frontier(indptr, indices, weights, source, serial_arcs=SERIAL_ARCS):
    """Single-source shortest path distances by frontier Bellman-Ford.

    Each round relaxes the out-arcs of the nodes whose distance dropped in
    the previous round (the first round: the source), until none drops.

    Parameters
    ----------
    indptr, indices : numpy.ndarray of int32 or int64
        Out-CSR.
    weights : numpy.ndarray of float64
        Non-negative arc weights aligned with ``indices``.
    source : int
        The start node.
    serial_arcs : int, default 4096
        As for :func:`delta_stepping`.

    Returns
    -------
    dist : numpy.ndarray of float64
        Distance from ``source``; ``inf`` for unreachable nodes.

    Raises
    ------
    ValueError
        As for :func:`delta_stepping`.

    Notes
    -----
    At most ``n - 1`` rounds of at most ``m`` relaxations each; in practice a
    few times the hop diameter rounds. Simple and independent of
    :func:`delta_stepping`'s buckets, so each checks the other.

    References
    ----------
    .. [1] R. Bellman, "On a Routing Problem", Quarterly of Applied
       Mathematics 16(1), 1958.
    .. [2] L. R. Ford Jr., "Network Flow Theory", RAND Corporation P-923, 1956.

    Examples
    --------
    >>> import numpy as np
    >>> indptr = np.array([0, 2, 3, 3], dtype=np.int32)
    >>> indices = np.array([1, 2, 2], dtype=np.int32)
    >>> weights = np.array([5.0, 9.0, 1.0])
    >>> bellman_ford_frontier(indptr, indices, weights, 0).tolist()
    [0.0, 5.0, 6.0]
    """
    indptr, indices, weights, source = _check(indptr, indices, weights, source)
    size = indptr.shape[0] + indices.shape[0]
    return call(size < SMALL_GRAPH, _bellman_ford_frontier, indptr, indices, weights, source,
                int(serial_arcs))


def _check(indptr, indices, weights, source):
    """Validate the inputs before any kernel runs; returns them normalised."""
    indptr = np.ascontiguousarray(indptr)
    indices = np.ascontiguousarray(indices)
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    if indptr.ndim != 1 or indices.ndim != 1 or indptr.shape[0] < 1:
        raise ValueError("indptr and indices must be 1-d arrays, indptr of length n + 1 >= 1")
    if indptr.dtype.kind not in "iu" or indices.dtype.kind not in "iu":
        raise ValueError(f"index arrays must be integer, got {indptr.dtype} and {indices.dtype}")
    m = int(indptr[-1])
    if m > indices.shape[0]:
        raise ValueError(f"indptr[-1] = {m} exceeds len(indices) = {indices.shape[0]}")
    if weights.ndim != 1 or weights.shape[0] < m:
        raise ValueError(f"weights must be a 1-d array of at least {m} values, got shape {weights.shape}")
    if m:
        low = weights[:m].min()  # NaN propagates through min
        if not low >= 0.0:
            if np.isnan(low):
                raise ValueError("weights contain NaN")
            where = int(np.argmax(weights[:m] < 0))
            raise ValueError(
                f"negative weight {weights[where]} at arc {where}; "
                "delta-stepping and Bellman-Ford here need non-negative weights"
            )
    n = indptr.shape[0] - 1
    if isinstance(source, (bool, np.bool_)) or not isinstance(source, (int, np.integer)):
        raise ValueError(f"source must be an integer node index, got {source!r}")
    source = int(source)
    if not 0 <= source < n:
        raise ValueError(f"source {source} is out of range for a graph with {n} nodes")
    return indptr, indices, weights, source
