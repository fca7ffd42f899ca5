"""Hand-written triangle counting: the oracle and performance ceiling.

Ordered counting as in the GAP benchmark suite's ``tc.cc``: every triangle
``{u, v, w}`` is counted once, at its largest node ``u``, as ``u > v > w``
with ``v`` and ``w`` both lower neighbours of ``u`` and ``w`` a lower
neighbour of ``v``. When the degree distribution is skewed (GAP's
``WorthRelabelling`` test), nodes are first relabelled by decreasing degree,
so that hubs get the smallest labels and their long neighbour lists are
never scanned as "lower" lists of anyone.

GAP intersects the sorted lower lists of ``u`` and ``v`` by merging. Here
the lower neighbours of ``u`` are marked in a byte array first, and the
lower list of each ``v`` is scanned against the marks: the same number of
triangles, without the merge's unpredictable branches (about three times
faster on a Kronecker graph on one thread), and the lists need not be
sorted.

``triangle_count``
    The total number of triangles.
``triangles_per_node``
    The number of triangles through every node (``networkx.triangles``).

Both work on the lower-neighbour lists ("forward" lists: the neighbours with
a smaller label, without duplicates and self loops) built here in parallel,
so the input CSR needs neither sorted nor duplicate-free lists.

No atomics, no racy stores: the work is split into as many parts as there
are threads; part ``p`` handles every ``threads``-th chunk of nodes and owns
one marker array, one partial count and (per-node counts) one count array
into which it credits the three nodes of each triangle it finds. Integer
sums, added up afterwards, so results do not depend on the thread count.
Graphs with fewer than ``SMALL_GRAPH`` nodes + arcs run on one thread.
"""

from __future__ import annotations

import numba
import numpy as np

from .common import JIT, SERIAL, SMALL_GRAPH, call, check_csr

__all__ = ["triangle_count", "triangles_per_node", "worth_relabelling"]

# Number of chunks of nodes the counting is split into (work balanced); the
# parts (one per thread) take every ``threads``-th chunk.
NCHUNKS = 1024


@numba.njit(**SERIAL)
def _worth_relabelling(indptr):
    """GAP's ``WorthRelabelling``: relabel when the average degree is at least
    10 and exceeds 1.3 times the median degree of up to 1000 sampled nodes
    with at least one arc (sampled by a fixed hash, so deterministic)."""
    n = indptr.shape[0] - 1
    if n == 0:
        return False
    # GAP: undirected edges (arcs / 2) per node, integer division
    average_degree = (np.int64(indptr[n]) // 2) // n
    if average_degree < 10:
        return False
    num_samples = min(1000, n)
    samples = np.empty(num_samples, dtype=indptr.dtype)
    x = np.uint64(0x2545F4914F6CDD1D)
    k = 0
    tries = 0
    while k < num_samples and tries < 100 * num_samples:
        tries += 1
        x += np.uint64(0x9E3779B97F4A7C15)
        z = x
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
        u = np.int64(z % np.uint64(n))
        d = np.int64(indptr[u + 1]) - np.int64(indptr[u])
        if d > 0:
            samples[k] = d
            k += 1
    if k == 0:
        return False
    # insertion sort (k <= 1000; np.sort would cost seconds of compilation)
    for i in range(1, k):
        x = samples[i]
        j = i - 1
        while j >= 0 and samples[j] > x:
            samples[j + 1] = samples[j]
            j -= 1
        samples[j + 1] = x
    total = 0
    for i in range(k):
        total += samples[i]
    sample_average = total / k
    sample_median = samples[k // 2]
    return sample_average / 1.3 > sample_median


@numba.njit(**SERIAL)
def _degree_order(indptr):
    """``(order, rank)``: nodes by decreasing degree, ties by increasing id
    (a stable counting sort), and the inverse permutation."""
    n = indptr.shape[0] - 1
    maxdeg = 0
    for u in range(n):
        d = np.int64(indptr[u + 1]) - np.int64(indptr[u])
        if d > maxdeg:
            maxdeg = d
    start = np.zeros(maxdeg + 2, dtype=np.int64)
    for u in range(n):
        d = np.int64(indptr[u + 1]) - np.int64(indptr[u])
        start[maxdeg - d + 1] += 1
    for i in range(maxdeg + 1):
        start[i + 1] += start[i]
    order = np.empty(n, dtype=np.int64)
    rank = np.empty(n, dtype=np.int64)
    for u in range(n):
        d = np.int64(indptr[u + 1]) - np.int64(indptr[u])
        r = start[maxdeg - d]
        start[maxdeg - d] += 1
        order[r] = u
        rank[u] = r
    return order, rank


@numba.njit(**JIT)
def _forward_lists(indptr, indices, order, rank, marks, nchunks):
    """Lower-neighbour lists in the new labels (``rank``).

    Returns ``(fptr, flen, fidx, bounds)``: the lower neighbours of new node
    ``u`` are ``fidx[fptr[u]:fptr[u] + flen[u]]``, unique, all ``< u``, in
    input order; ``bounds`` splits the new nodes into ``nchunks`` ranges of
    about equal counting work, estimated for ``u`` as ``1 + sum over its
    lower neighbours v of (1 + count[v])`` with ``count`` the list lengths
    before duplicates are dropped. ``marks`` holds one zeroed byte array per
    parallel part (returned zeroed); duplicates are dropped with it.
    """
    n = indptr.shape[0] - 1
    count = np.empty(n, dtype=np.int64)
    for u in numba.prange(n):
        old = order[u]
        k = 0
        for j in range(indptr[old], indptr[old + 1]):
            if rank[indices[j]] < u:
                k += 1
        count[u] = k
    fptr = np.empty(n + 1, dtype=np.int64)
    fptr[0] = 0
    for u in range(n):
        fptr[u + 1] = fptr[u] + count[u]
    fidx = np.empty(fptr[n], dtype=indices.dtype)  # int32 when the input is
    flen = np.empty(n, dtype=np.int64)
    work = np.empty(n + 1, dtype=np.int64)
    work[0] = 0
    nparts = marks.shape[0]
    nblocks = min(NCHUNKS, n)
    for p in numba.prange(nparts):
        mark = marks[p]
        for blk in range(p, nblocks, nparts):
            for u in range(blk * n // nblocks, (blk + 1) * n // nblocks):
                old = order[u]
                a = fptr[u]
                k = a
                s = 1
                for j in range(indptr[old], indptr[old + 1]):
                    r = rank[indices[j]]
                    if r < u and mark[r] == 0:
                        mark[r] = 1
                        fidx[k] = r
                        k += 1
                        s += 1 + count[r]
                for i in range(a, k):
                    mark[fidx[i]] = 0
                flen[u] = k - a
                work[u + 1] = s
    for u in range(n):
        work[u + 1] += work[u]
    bounds = np.empty(nchunks + 1, dtype=np.int64)
    bounds[0] = 0
    total = work[n]
    u = 0
    for c in range(1, nchunks):
        target = total * c // nchunks
        while u < n and work[u] < target:
            u += 1
        bounds[c] = u
    bounds[nchunks] = n
    return fptr, flen, fidx, bounds


@numba.njit(**JIT)
def _count(fptr, flen, fidx, bounds, marks):
    """Triangles ``u > v > w``: for every ``u``, mark its lower neighbours,
    then count the marked lower neighbours ``w`` of each of them, ``v``."""
    nchunks = bounds.shape[0] - 1
    nparts = marks.shape[0]
    partial = np.empty(nparts, dtype=np.int64)
    for p in numba.prange(nparts):
        mark = marks[p]
        t = 0
        for c in range(p, nchunks, nparts):
            for u in range(bounds[c], bounds[c + 1]):
                a = fptr[u]
                b = a + flen[u]
                for i in range(a, b):
                    mark[fidx[i]] = 1
                for i in range(a, b):
                    v = fidx[i]
                    q = fptr[v]
                    for k in range(q, q + flen[v]):
                        t += mark[fidx[k]]
                for i in range(a, b):
                    mark[fidx[i]] = 0
        partial[p] = t
    total = 0
    for p in range(nparts):
        total += partial[p]
    return total


@numba.njit(**JIT)
def _count_per_node(fptr, flen, fidx, bounds, order, marks, per_part):
    """As ``_count``, crediting each triangle to its three nodes in the
    count array of the part that finds it; returns the sums in the original
    labels."""
    n = flen.shape[0]
    nchunks = bounds.shape[0] - 1
    nparts = marks.shape[0]
    for p in numba.prange(nparts):
        mark = marks[p]
        row = per_part[p]
        for c in range(p, nchunks, nparts):
            for u in range(bounds[c], bounds[c + 1]):
                a = fptr[u]
                b = a + flen[u]
                for i in range(a, b):
                    mark[fidx[i]] = 1
                tu = 0
                for i in range(a, b):
                    v = fidx[i]
                    q = fptr[v]
                    tv = 0
                    for k in range(q, q + flen[v]):
                        w = fidx[k]
                        if mark[w]:
                            tv += 1
                            row[w] += 1
                    row[v] += tv
                    tu += tv
                row[u] += tu
                for i in range(a, b):
                    mark[fidx[i]] = 0
    result = np.empty(n, dtype=np.int64)
    for u in numba.prange(n):
        s = 0
        for t in range(nparts):
            s += per_part[t, u]
        result[order[u]] = s
    return result


def _prepare(indptr, indices, relabel):
    n = indptr.shape[0] - 1
    if relabel is None:
        relabel = bool(_worth_relabelling(indptr))
    if relabel:
        order, rank = _degree_order(indptr)
    else:
        order = rank = np.arange(n, dtype=np.int64)
    # one marker byte array per parallel part (as many parts as threads)
    marks = np.zeros((max(1, numba.get_num_threads()), n), dtype=np.uint8)
    nchunks = max(1, min(NCHUNKS, n))
    fptr, flen, fidx, bounds = _forward_lists(indptr, indices, order, rank, marks, nchunks)
    return fptr, flen, fidx, bounds, order, marks


def _count_total(indptr, indices, relabel):
    fptr, flen, fidx, bounds, _, marks = _prepare(indptr, indices, relabel)
    return _count(fptr, flen, fidx, bounds, marks)


def _count_nodes(indptr, indices, relabel):
    fptr, flen, fidx, bounds, order, marks = _prepare(indptr, indices, relabel)
    per_part = np.zeros((marks.shape[0], flen.shape[0]), dtype=np.int64)
    return _count_per_node(fptr, flen, fidx, bounds, order, marks, per_part)


def triangle_count(indptr, indices, relabel=None):
    """Number of triangles of an undirected graph.

    Parameters
    ----------
    indptr, indices : numpy.ndarray of int32 or int64
        Symmetric CSR adjacency (every edge stored in both directions).
        Neighbour lists need not be sorted; self loops and duplicate entries
        are ignored.
    relabel : bool or None, default None
        Relabel nodes by decreasing degree first. None decides as GAP does:
        when the average degree is at least 10 and well above the median
        degree (a skewed, power-law-like distribution).

    Returns
    -------
    int
        The number of triangles (each counted once).

    Notes
    -----
    Building the lower-neighbour lists costs ``O(n + m)``; counting costs
    ``O(sum over arcs (u, v), v < u, of 1 + |lower(v)|)``, which degree
    ordering bounds by ``O(m^1.5)``. Extra memory: the lower lists, and one
    byte per node per thread.

    References
    ----------
    .. [1] T. Schank and D. Wagner, "Finding, Counting and Listing all
       Triangles in Large Graphs, an Experimental Study", WEA 2005.
    .. [2] S. Beamer, K. Asanović and D. Patterson, "The GAP Benchmark Suite",
       arXiv:1508.03619, 2015 (reference code ``tc.cc``).

    Examples
    --------
    >>> import numpy as np
    >>> indptr = np.array([0, 2, 4, 7, 8], dtype=np.int32)   # triangle 0-1-2, edge 2-3
    >>> indices = np.array([1, 2, 0, 2, 0, 1, 3, 2], dtype=np.int32)
    >>> triangle_count(indptr, indices)
    1
    """
    indptr, indices = check_csr(indptr, indices)
    size = indptr.shape[0] + indices.shape[0]
    return int(call(size < SMALL_GRAPH, _count_total, indptr, indices, relabel))


def triangles_per_node(indptr, indices, relabel=None):
    """Number of triangles through every node (``networkx.triangles``).

    Parameters
    ----------
    indptr, indices : numpy.ndarray of int32 or int64
        Symmetric CSR adjacency, as for :func:`triangle_count`.
    relabel : bool or None, default None
        As for :func:`triangle_count`; the result is in the original labels.

    Returns
    -------
    numpy.ndarray of int64
        ``t[u]`` triangles contain ``u``; ``t.sum() == 3 * triangle_count``.

    Notes
    -----
    Same work as :func:`triangle_count`, plus one ``int64`` count array per
    thread (``threads * n * 8`` bytes). The counts do not depend on the
    thread count.

    References
    ----------
    .. [1] S. Beamer, K. Asanović and D. Patterson, "The GAP Benchmark Suite",
       arXiv:1508.03619, 2015 (reference code ``tc.cc``).

    Examples
    --------
    >>> import numpy as np
    >>> indptr = np.array([0, 2, 4, 7, 8], dtype=np.int32)
    >>> indices = np.array([1, 2, 0, 2, 0, 1, 3, 2], dtype=np.int32)
    >>> triangles_per_node(indptr, indices).tolist()
    [1, 1, 1, 0]
    """
    indptr, indices = check_csr(indptr, indices)
    size = indptr.shape[0] + indices.shape[0]
    return call(size < SMALL_GRAPH, _count_nodes, indptr, indices, relabel)


def worth_relabelling(indptr):
    """Whether GAP's heuristic would relabel this graph by degree.

    True when the average degree (undirected edges per node) is at least 10
    and exceeds 1.3 times the median degree of up to 1000 sampled nodes.
    """
    return bool(_worth_relabelling(np.ascontiguousarray(indptr)))
