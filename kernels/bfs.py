"""Hand-written breadth-first search: the oracle and performance ceiling.

``bfs`` is direction-optimizing BFS (Beamer, Asanović and Patterson, 2012)
as in the GAP benchmark suite's ``bfs.cc``: top-down steps (each frontier
node scans its out-arcs for unvisited nodes) while the frontier is small,
bottom-up steps (each unvisited node scans its in-arcs for a frontier node,
and stops at the first) while it is large, switching with GAP's heuristics
``alpha = 15`` and ``beta = 18``.

No atomics, no racy stores:

* a bottom-up step writes only the node being visited (its depth, its
  parent, its bit of the next-frontier bitmap); chunks of nodes are aligned
  to 64, so every 64-bit word of the bitmap has a single writer;
* a top-down step runs in two phases: in parallel, every chunk of the
  frontier collects ``(node, parent)`` candidates for the unvisited
  out-neighbours into its own slice of a buffer (reads only); then one
  thread claims them in frontier order, the first candidate for a node
  winning. GAP claims with compare-and-swap instead. Frontiers with fewer
  than ``serial_arcs`` out-arcs are scanned by one thread, which gives the
  same result without waking the others.

The conversions between the frontier queue and the bitmap at a switch are
serial: they touch only the frontier, or ``n / 64`` words.

Depths and parents are therefore deterministic: they do not depend on the
thread count or on timing. In a top-down step the parent of a node is its
first frontier in-neighbour in frontier order; in a bottom-up step, its first
in-neighbour (in CSR order) that is in the frontier. Graphs with fewer than
``SMALL_GRAPH`` nodes + arcs run on one thread.
"""

from __future__ import annotations

import numba
import numpy as np

from .common import JIT, SERIAL, SMALL_GRAPH, call, check_csr

__all__ = ["bfs", "ALPHA", "BETA"]

# GAP's switching heuristics: go bottom-up when the frontier's out-arcs
# exceed 1/ALPHA of the arcs not yet checked; go back top-down when the
# frontier shrinks and holds fewer than n/BETA nodes.
ALPHA = 15.0
BETA = 18.0
# Number of chunks the parallel loops are split into.
NCHUNKS = 256
# Top-down steps over fewer frontier out-arcs than this run on one thread:
# waking the other threads costs more than the work.
SERIAL_ARCS = 4096


# Inside a parallel function ``.sum()`` becomes a parallel loop of its own,
# and every parallel loop costs a thread wake-up: sum small arrays here.
@numba.njit(**SERIAL)
def _total(a):
    s = 0
    for i in range(a.shape[0]):
        s += a[i]
    return s


@numba.njit(**SERIAL)
def _word_bounds(indptr, nchunks):
    """Split the ``ceil(n / 64)`` bitmap words into ``nchunks`` ranges of about
    equal work (the work of node ``v`` being ``1 + degree(v)``).

    Returned as word indices; chunk ``c`` owns the nodes
    ``64 * bounds[c] .. min(64 * bounds[c + 1], n) - 1``.
    """
    n = indptr.shape[0] - 1
    nwords = (n + 63) >> 6
    bounds = np.empty(nchunks + 1, dtype=np.int64)
    total = np.int64(indptr[n]) + n
    bounds[0] = 0
    w = 0
    for c in range(1, nchunks):
        target = total * c // nchunks
        # first word whose first node reaches the target
        while w < nwords and np.int64(indptr[w << 6]) + (w << 6) < target:
            w += 1
        bounds[c] = w
    bounds[nchunks] = nwords
    return bounds


@numba.njit(**SERIAL)
def _queue_to_bitmap(queue, qsize, bitmap):
    """Set exactly the bits of the ``qsize`` nodes in ``queue``. Serial: the
    frontier at a switch to bottom-up is small next to the graph."""
    for w in range(bitmap.shape[0]):
        bitmap[w] = 0
    for i in range(qsize):
        v = queue[i]
        bitmap[v >> 6] |= np.uint64(1) << np.uint64(v & 63)


@numba.njit(**SERIAL)
def _bitmap_to_queue(bitmap, queue):
    """Write the nodes whose bits are set to ``queue``, in increasing order;
    returns how many. Serial: ``n / 64`` words."""
    k = 0
    for w in range(bitmap.shape[0]):
        bits = bitmap[w]
        if bits == 0:
            continue
        for b in range(64):
            if (bits >> np.uint64(b)) & np.uint64(1):
                queue[k] = (w << 6) + b
                k += 1
    return k


@numba.njit(**JIT)
def _bottom_up_step(in_indptr, in_indices, depth, parent, front, nxt, level, wbounds, nchunks, counts):
    """Visit every unvisited node with an in-neighbour in ``front``.

    Returns the number of nodes visited. Writes only the visited node (and
    the bitmap word its chunk owns).
    """
    n = depth.shape[0]
    for c in numba.prange(nchunks):
        awake = 0
        for w in range(wbounds[c], wbounds[c + 1]):
            bits = np.uint64(0)
            lo = w << 6
            hi = min(lo + 64, n)
            for u in range(lo, hi):
                if depth[u] >= 0:
                    continue
                for j in range(in_indptr[u], in_indptr[u + 1]):
                    v = in_indices[j]
                    if (front[v >> 6] >> np.uint64(v & 63)) & np.uint64(1):
                        depth[u] = level + 1
                        parent[u] = v
                        bits |= np.uint64(1) << np.uint64(u - lo)
                        awake += 1
                        break
            nxt[w] = bits
        counts[c] = awake
    return _total(counts)


@numba.njit(**SERIAL)
def _top_down_serial(out_indptr, out_indices, depth, parent, queue, qsize, nxt_queue, level):
    """``_top_down_step`` on one thread (same result: the first frontier node,
    in frontier order, to reach a node becomes its parent)."""
    size = 0
    scout = 0
    for i in range(qsize):
        u = queue[i]
        for j in range(out_indptr[u], out_indptr[u + 1]):
            v = out_indices[j]
            if depth[v] < 0:
                depth[v] = level + 1
                parent[v] = u
                nxt_queue[size] = v
                size += 1
                scout += np.int64(out_indptr[v + 1]) - np.int64(out_indptr[v])
    return size, scout


@numba.njit(**SERIAL)
def _frontier_arcs(out_indptr, queue, qsize):
    total = 0
    for i in range(qsize):
        u = queue[i]
        total += np.int64(out_indptr[u + 1]) - np.int64(out_indptr[u])
    return total


@numba.njit(**JIT)
def _top_down_step(out_indptr, out_indices, depth, parent, queue, qsize, nxt_queue, level):
    """Visit the unvisited out-neighbours of the ``qsize`` frontier nodes in
    ``queue``; they go to ``nxt_queue``. Returns ``(new size, sum of their
    out-degrees)``."""
    nchunks = min(NCHUNKS, qsize)
    # frontier chunks of about equal out-degree, and each chunk's slice of
    # the candidate buffer (its nodes' total out-degree)
    degsum = np.empty(qsize + 1, dtype=np.int64)
    degsum[0] = 0
    for i in range(qsize):
        u = queue[i]
        degsum[i + 1] = degsum[i] + (np.int64(out_indptr[u + 1]) - np.int64(out_indptr[u]))
    total = degsum[qsize]
    qb = np.empty(nchunks + 1, dtype=np.int64)
    qb[0] = 0
    i = 0
    for c in range(1, nchunks):
        target = (total + qsize) * c // nchunks
        while i < qsize and degsum[i] + i < target:
            i += 1
        qb[c] = i
    qb[nchunks] = qsize
    cand_v = np.empty(total, dtype=np.int64)
    cand_u = np.empty(total, dtype=np.int64)
    counts = np.empty(nchunks, dtype=np.int64)
    # phase 1, parallel, reads only: candidates per chunk, in frontier order
    for c in numba.prange(nchunks):
        k = degsum[qb[c]]
        start = k
        for i in range(qb[c], qb[c + 1]):
            u = queue[i]
            for j in range(out_indptr[u], out_indptr[u + 1]):
                v = out_indices[j]
                if depth[v] < 0:
                    cand_v[k] = v
                    cand_u[k] = u
                    k += 1
        counts[c] = k - start
    # phase 2, serial: the first candidate for each node claims it
    size = 0
    scout = 0
    for c in range(nchunks):
        start = degsum[qb[c]]
        for k in range(start, start + counts[c]):
            v = cand_v[k]
            if depth[v] < 0:
                depth[v] = level + 1
                parent[v] = cand_u[k]
                nxt_queue[size] = v
                size += 1
                scout += np.int64(out_indptr[v + 1]) - np.int64(out_indptr[v])
    return size, scout


@numba.njit(**SERIAL)
def _bfs(out_indptr, out_indices, in_indptr, in_indices, source, alpha, beta, serial_arcs):
    n = out_indptr.shape[0] - 1
    depth = np.full(n, -1, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)
    depth[source] = 0
    parent[source] = source
    queue = np.empty(n, dtype=np.int64)
    nxt_queue = np.empty(n, dtype=np.int64)
    queue[0] = source
    qsize = np.int64(1)
    nwords = (n + 63) >> 6
    front = np.zeros(nwords, dtype=np.uint64)
    nxt = np.zeros(nwords, dtype=np.uint64)
    nchunks = max(1, min(NCHUNKS, nwords))
    wbounds = _word_bounds(in_indptr, nchunks)
    counts = np.zeros(nchunks, dtype=np.int64)

    edges_to_check = np.float64(out_indptr[n])
    scout = np.int64(out_indptr[source + 1]) - np.int64(out_indptr[source])
    level = np.int64(0)  # depth of the nodes in the current frontier
    while qsize > 0:
        if scout > edges_to_check / alpha:
            # bottom-up while the frontier grows or stays large
            _queue_to_bitmap(queue, qsize, front)
            awake = qsize
            while True:
                old_awake = awake
                awake = _bottom_up_step(
                    in_indptr, in_indices, depth, parent, front, nxt, level, wbounds, nchunks, counts
                )
                front, nxt = nxt, front
                level += 1
                if awake == 0 or (awake < old_awake and awake <= n / beta):
                    break
            qsize = _bitmap_to_queue(front, queue)  # the last level visited
            scout = 1
        else:
            edges_to_check -= scout
            if _frontier_arcs(out_indptr, queue, qsize) < serial_arcs:
                qsize, scout = _top_down_serial(
                    out_indptr, out_indices, depth, parent, queue, qsize, nxt_queue, level
                )
            else:
                qsize, scout = _top_down_step(
                    out_indptr, out_indices, depth, parent, queue, qsize, nxt_queue, level
                )
            queue, nxt_queue = nxt_queue, queue
            level += 1
    return depth, parent


def bfs(
    out_indptr, out_indices, in_indptr, in_indices, source, alpha=ALPHA, beta=BETA, serial_arcs=SERIAL_ARCS
):
    """Direction-optimizing breadth-first search from one source.

    Parameters
    ----------
    out_indptr, out_indices : numpy.ndarray of int32 or int64
        Out-CSR: the targets of ``u`` are
        ``out_indices[out_indptr[u]:out_indptr[u + 1]]``.
    in_indptr, in_indices : numpy.ndarray of int32 or int64
        In-CSR (the transpose). For an undirected graph pass the out-CSR
        arrays again.
    source : int
        The start node, ``0 <= source < n``.
    alpha, beta : float, default 15 and 18
        GAP's switching heuristics. ``alpha`` tiny (``1e-12``) forces
        top-down steps only; ``alpha`` and ``beta`` huge (``1e12``) force
        bottom-up steps after the first step.
    serial_arcs : int, default 4096
        Top-down steps over fewer frontier out-arcs run on one thread (same
        result, less overhead); 0 runs every top-down step in parallel.

    Returns
    -------
    depth : numpy.ndarray of int64
        Hop distance from ``source``; -1 for unreachable nodes.
    parent : numpy.ndarray of int64
        A BFS parent of every reached node (an in-neighbour ``p`` with
        ``depth[p] == depth[v] - 1``); ``parent[source] == source``; -1 for
        unreachable nodes.

    Raises
    ------
    ValueError
        If ``source`` is out of range or the arrays do not form a CSR.

    Notes
    -----
    ``O(n + m)`` work in the worst case, usually much less on small-world
    graphs, where bottom-up steps stop scanning a node's in-arcs at the
    first frontier node. Depths and parents do not depend on the thread
    count (see the module docstring).

    References
    ----------
    .. [1] S. Beamer, K. Asanović and D. Patterson, "Direction-Optimizing
       Breadth-First Search", SC 2012.
    .. [2] S. Beamer, K. Asanović and D. Patterson, "The GAP Benchmark Suite",
       arXiv:1508.03619, 2015 (reference code ``bfs.cc``).

    Examples
    --------
    >>> import numpy as np
    >>> indptr = np.array([0, 1, 3, 4, 4], dtype=np.int32)   # path 0-1-2, node 3
    >>> indices = np.array([1, 0, 2, 1], dtype=np.int32)
    >>> depth, parent = bfs(indptr, indices, indptr, indices, 0)
    >>> depth.tolist(), parent.tolist()
    ([0, 1, 2, -1], [0, 0, 1, -1])
    """
    out_indptr, out_indices = check_csr(out_indptr, out_indices, "out")
    in_indptr, in_indices = check_csr(in_indptr, in_indices, "in")
    n = out_indptr.shape[0] - 1
    if in_indptr.shape[0] - 1 != n:
        raise ValueError(f"out-CSR has {n} nodes but in-CSR has {in_indptr.shape[0] - 1}")
    source = _check_source(source, n)
    size = out_indptr.shape[0] + out_indices.shape[0]
    return call(
        size < SMALL_GRAPH, _bfs, out_indptr, out_indices, in_indptr, in_indices,
        source, float(alpha), float(beta), int(serial_arcs),
    )


def _check_source(source, n):
    if isinstance(source, (bool, np.bool_)) or not isinstance(source, (int, np.integer)):
        raise ValueError(f"source must be an integer node index, got {source!r}")
    source = int(source)
    if not 0 <= source < n:
        raise ValueError(f"source {source} is out of range for a graph with {n} nodes")
    return source
