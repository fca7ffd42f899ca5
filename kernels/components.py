"""Hand-written connected components: the oracle and performance ceiling.

Two parallel Numba kernels for undirected graphs stored as symmetric CSR
(every edge ``{u, v}`` as the two arcs ``u -> v`` and ``v -> u``):

``afforest``
    Afforest (Sutton, Ben-Nun and Barak, 2018), as in the GAP benchmark
    suite's ``cc.cc``: link every node to a couple of sampled neighbours,
    compress the forest, find the largest intermediate component by sampling,
    then link the remaining edges of the nodes outside it only.
``shiloach_vishkin``
    The FastSV variant of Shiloach-Vishkin (Zhang, Azad and Hu, 2020):
    min-label hooking of parents and grandparents plus pointer jumping,
    iterated to a fixed point.

Both return, for every node, the smallest node index in its component, so
their results compare exactly with each other and with min-label
propagation.

Races
-----
GAP links trees with compare-and-swap; Numba has no atomics. Both kernels
here let parallel iterations store into shared parent pointers with plain
word-sized stores, and are correct because of three invariants that such
races cannot break:

* every store writes ``comp[x] = y`` with ``y < comp[x] <= x`` (a strictly
  smaller label that is a node of ``x``'s component), so the parent pointers
  always form a forest whose roots are the smallest nodes of their trees,
  and trees only ever merge along edges;
* a store that is lost (overwritten by a concurrent store to the same word)
  only loses work, never correctness: every value stored is still smaller
  than the value that was read;
* the kernels stop only after a race-free check finds every edge inside one
  tree (``afforest``), or after an iteration without any store
  (``shiloach_vishkin``, where that implies the same), and an iteration that
  finds work always stores at least once, so they terminate.

Stores of aligned 8-byte integers are atomic on every platform Numba
targets, so no torn values can be read.

Graphs with fewer than ``SMALL_GRAPH`` nodes + arcs run on one thread.
"""

from __future__ import annotations

import numba
import numpy as np

from .common import JIT, SERIAL, SMALL_GRAPH, call, check_csr

__all__ = ["afforest", "shiloach_vishkin"]

# Number of chunks the parallel loops are split into.
NCHUNKS = 256
# Afforest: neighbours sampled per node before the largest component is
# guessed (GAP's default), and nodes sampled to guess it.
NEIGHBOR_ROUNDS = 2
NUM_SAMPLES = 1024


@numba.njit(**SERIAL)
def _chunk_bounds(indptr, nchunks):
    """Split ``range(n)`` into ``nchunks`` ranges of about equal work.

    The work of node ``v`` is ``1 + degree(v)``; boundaries depend only on the
    graph, so results and reductions do not depend on the thread count.
    """
    n = indptr.shape[0] - 1
    bounds = np.empty(nchunks + 1, dtype=np.int64)
    total = np.int64(indptr[n]) + n
    bounds[0] = 0
    v = 0
    for c in range(1, nchunks):
        target = total * c // nchunks
        while v < n and np.int64(indptr[v]) + v < target:
            v += 1
        bounds[c] = v
    bounds[nchunks] = n
    return bounds


@numba.njit(**SERIAL)
def _total(a):
    """``a.sum()`` without a parallel loop (see ``_identity``)."""
    s = 0
    for i in range(a.shape[0]):
        s += a[i]
    return s


@numba.njit(**SERIAL)
def _identity(n):
    """``np.arange(n)``; in a parallel function ``np.arange`` becomes a
    parallel loop of its own, with its own compilation and thread wake-up."""
    a = np.empty(n, dtype=np.int64)
    for i in range(n):
        a[i] = i
    return a


@numba.njit(**SERIAL)
def _link(u, v, comp):
    """Join the trees of ``u`` and ``v`` (GAP's ``Link``, a store for the CAS).

    Hooks the larger of two roots under the smaller one. A concurrent store
    to the same root can overwrite this one; the module docstring explains why
    that is harmless. Terminates because the larger of the two labels walked
    strictly decreases.
    """
    p1 = comp[u]
    p2 = comp[v]
    while p1 != p2:
        if p1 > p2:
            high = p1
            low = p2
        else:
            high = p2
            low = p1
        p_high = comp[high]
        if p_high == low:
            return
        if p_high == high:
            comp[high] = low  # benign race (see module docstring)
            return
        p1 = comp[comp[high]]
        p2 = comp[low]


@numba.njit(**JIT)
def _compress(comp, nchunks):
    """Pointer jumping until every node points at its root.

    Each iteration writes only its own node; others may read an older
    (higher) ancestor of it, which is still a valid pointer. Roots never
    change here, so on return every ``comp[u]`` is a root.
    """
    n = comp.shape[0]
    for c in numba.prange(nchunks):
        lo = c * n // nchunks
        hi = (c + 1) * n // nchunks
        for u in range(lo, hi):
            while comp[u] != comp[comp[u]]:
                comp[u] = comp[comp[u]]


@numba.njit(**SERIAL)
def _most_frequent_label(comp, num_samples):
    """The most frequent value among ``num_samples`` pseudo-randomly chosen
    entries of ``comp`` (deterministic: a fixed hash picks the positions).
    Ties go to the smallest label."""
    n = comp.shape[0]
    k = min(num_samples, n)
    sample = np.empty(k, dtype=np.int64)
    x = np.uint64(0x9E3779B97F4A7C15)
    for i in range(k):
        # splitmix64 step
        x += np.uint64(0x9E3779B97F4A7C15)
        z = x
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
        sample[i] = comp[np.int64(z % np.uint64(n))]
    # insertion sort (k is small; np.sort would cost seconds of compilation)
    for i in range(1, k):
        x = sample[i]
        j = i - 1
        while j >= 0 and sample[j] > x:
            sample[j + 1] = sample[j]
            j -= 1
        sample[j + 1] = x
    best = sample[0]
    best_count = 0
    i = 0
    while i < k:
        j = i
        while j < k and sample[j] == sample[i]:
            j += 1
        if j - i > best_count:
            best_count = j - i
            best = sample[i]
        i = j
    return best


@numba.njit(**JIT)
def _afforest(indptr, indices, neighbor_rounds, num_samples):
    n = indptr.shape[0] - 1
    comp = _identity(n)
    if n == 0:
        return comp
    nchunks = min(NCHUNKS, n)
    bounds = _chunk_bounds(indptr, nchunks)

    # 1. Link every node to its first few neighbours (a sparse sample of the
    #    edges, enough to build most of the giant component).
    for r in range(neighbor_rounds):
        for c in numba.prange(nchunks):
            for u in range(bounds[c], bounds[c + 1]):
                j = np.int64(indptr[u]) + r
                if j < indptr[u + 1]:
                    _link(u, np.int64(indices[j]), comp)
        _compress(comp, nchunks)

    # 2. Guess the largest intermediate component; its nodes need no more
    #    work, because each of their remaining edges either stays inside it
    #    or is linked from its other end.
    big = _most_frequent_label(comp, num_samples)

    # 3. Link the remaining edges of the nodes outside it; repeat (linking all
    #    their edges) in the rare case a race lost a link, until a race-free
    #    check finds every edge inside one tree.
    partial = np.empty(nchunks, dtype=np.int64)
    start = neighbor_rounds
    while True:
        for c in numba.prange(nchunks):
            for u in range(bounds[c], bounds[c + 1]):
                if comp[u] == big:
                    continue
                for j in range(np.int64(indptr[u]) + start, indptr[u + 1]):
                    _link(u, np.int64(indices[j]), comp)
        _compress(comp, nchunks)
        big = comp[big]  # the big tree may have been hooked under a smaller root
        for c in numba.prange(nchunks):
            bad = 0
            for u in range(bounds[c], bounds[c + 1]):
                cu = comp[u]
                if cu == big:
                    continue
                for j in range(indptr[u], indptr[u + 1]):
                    if comp[indices[j]] != cu:
                        bad += 1
                        break
            partial[c] = bad
        if _total(partial) == 0:
            break
        start = 0
    return comp


def afforest(indptr, indices, neighbor_rounds=NEIGHBOR_ROUNDS, num_samples=NUM_SAMPLES):
    """Connected components of an undirected graph by Afforest.

    Parameters
    ----------
    indptr, indices : numpy.ndarray of int32 or int64
        Symmetric CSR adjacency: the neighbours of ``u`` are
        ``indices[indptr[u]:indptr[u + 1]]``, and every edge is stored in both
        directions. Self loops and duplicate entries are allowed. The result
        is wrong for a non-symmetric CSR (symmetrise it first).
    neighbor_rounds : int, default 2
        Neighbours per node linked before the largest component is guessed.
    num_samples : int, default 1024
        Nodes sampled to guess the largest component.

    Returns
    -------
    labels : numpy.ndarray of int64
        ``labels[u]`` is the smallest node index in the component of ``u``.

    Notes
    -----
    Work ``O(n + m)`` in the usual case: the edges of the nodes inside the
    largest intermediate component are never visited after the sampling
    rounds. Parallel; see the module docstring for why the plain stores that
    replace GAP's compare-and-swap are correct. The labels do not depend on
    the number of threads.

    References
    ----------
    .. [1] M. Sutton, T. Ben-Nun and A. Barak, "Optimizing Parallel Graph
       Connectivity Computation via Subgraph Sampling", IEEE IPDPS 2018.
    .. [2] S. Beamer, K. Asanović and D. Patterson, "The GAP Benchmark Suite",
       arXiv:1508.03619, 2015 (reference code ``cc.cc``).

    Examples
    --------
    >>> import numpy as np
    >>> indptr = np.array([0, 1, 2, 3, 4, 4], dtype=np.int32)   # 0-1, 2-3, 4
    >>> indices = np.array([1, 0, 3, 2], dtype=np.int32)
    >>> afforest(indptr, indices).tolist()
    [0, 0, 2, 2, 4]
    """
    indptr, indices = check_csr(indptr, indices)
    size = indptr.shape[0] + indices.shape[0]
    return call(size < SMALL_GRAPH, _afforest, indptr, indices, int(neighbor_rounds),
                int(num_samples))


@numba.njit(**JIT)
def _shiloach_vishkin(indptr, indices):
    n = indptr.shape[0] - 1
    f = _identity(n)  # parent pointers
    if n == 0:
        return f
    gf = _identity(n)  # grandparents f[f[u]] at iteration start
    mngf = np.empty(n, dtype=np.int64)
    nchunks = min(NCHUNKS, n)
    bounds = _chunk_bounds(indptr, nchunks)
    changed = np.empty(nchunks, dtype=np.int64)
    while True:
        # Smallest grandparent around each node (a pull: own writes only),
        # then stochastic hooking: hook the parent of u under it. The store
        # to f[f[u]] is a benign race (see the module docstring).
        for c in numba.prange(nchunks):
            ch = 0
            for u in range(bounds[c], bounds[c + 1]):
                m = gf[u]
                for j in range(indptr[u], indptr[u + 1]):
                    g = gf[indices[j]]
                    if g < m:
                        m = g
                mngf[u] = m
                t = f[u]
                if m < f[t]:
                    f[t] = m
                    ch = 1
            changed[c] = ch
        # Aggressive hooking and shortcutting (own writes only).
        for c in numba.prange(nchunks):
            ch = changed[c]
            for u in range(bounds[c], bounds[c + 1]):
                m = mngf[u]
                if gf[u] < m:
                    m = gf[u]
                if m < f[u]:
                    f[u] = m
                    ch = 1
            changed[c] = ch
        # New grandparents (reads only f).
        for c in numba.prange(nchunks):
            for u in range(bounds[c], bounds[c + 1]):
                gf[u] = f[f[u]]
        # Without a store in a whole iteration, every node points at a root
        # and every edge joins nodes with the same root: done.
        if _total(changed) == 0:
            break
    return f


def shiloach_vishkin(indptr, indices):
    """Connected components by FastSV-style Shiloach-Vishkin hooking.

    Each iteration computes, for every node ``u``, the smallest grandparent
    ``mngf[u]`` over ``u`` and its neighbours, then hooks ``f[f[u]]`` and
    ``f[u]`` under it and jumps pointers (``gf = f[f]``), until an iteration
    changes nothing.

    Parameters
    ----------
    indptr, indices : numpy.ndarray of int32 or int64
        Symmetric CSR adjacency (every edge stored in both directions); self
        loops and duplicate entries are allowed.

    Returns
    -------
    labels : numpy.ndarray of int64
        ``labels[u]`` is the smallest node index in the component of ``u``.

    Notes
    -----
    Each iteration costs ``O(n + m)``; the number of iterations is
    ``O(log n)``-like in practice (FastSV's bound is in terms of the
    diameter, but hooking roots under grandparents shortens trees quickly).
    The result is exact and does not depend on the number of threads.

    References
    ----------
    .. [1] Y. Shiloach and U. Vishkin, "An O(log n) Parallel Connectivity
       Algorithm", Journal of Algorithms 3(1), 1982.
    .. [2] Y. Zhang, A. Azad and Z. Hu, "FastSV: A Distributed-Memory
       Connected Component Algorithm with Fast Convergence", SIAM PP 2020.

    Examples
    --------
    >>> import numpy as np
    >>> indptr = np.array([0, 1, 2, 3, 4, 4], dtype=np.int32)   # 0-1, 2-3, 4
    >>> indices = np.array([1, 0, 3, 2], dtype=np.int32)
    >>> shiloach_vishkin(indptr, indices).tolist()
    [0, 0, 2, 2, 4]
    """
    indptr, indices = check_csr(indptr, indices)
    size = indptr.shape[0] + indices.shape[0]
    return call(size < SMALL_GRAPH, _shiloach_vishkin, indptr, indices)
