"""Hand-written PageRank: the oracle and performance ceiling for generated code.

Two implementations with exactly the semantics of ``networkx.pagerank`` (with
``weight=None``, no personalization, dangling mass spread uniformly):

``pagerank_pull``
    A parallel Numba kernel pulling over the in-adjacency (the transpose), so
    every parallel iteration writes only its own node: no atomics, no races.
``pagerank_scipy``
    The classic SciPy sparse matrix-vector loop, the strongest simple peer.

Both start from ``x = 1/n`` and iterate::

    dangling  = sum(x[u] for u with out_degree[u] == 0)
    x_new[v]  = damping * (sum(x[u] / out_degree[u] for u -> v) + dangling / n)
                + (1 - damping) / n
    err       = sum(|x_new - x|)

stopping after the update that makes ``err < n * tol`` (networkx's rule), or
after ``max_iter`` iterations; networkx then raises, these return
``converged=False``. With ``tol = 1e-4 / n`` and ``max_iter = 20`` this is the
GAP benchmark rule (stop when the L1 change drops below 1e-4).

The kernel's reductions are computed over a fixed number of node chunks whose
boundaries depend on the graph only, and the partial sums are combined in chunk
order, so the result is bit-identical from run to run and for any number of
threads.
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp

from .common import JIT

__all__ = ["pagerank_pull", "pagerank_scipy", "scipy_prepare", "pagerank_scipy_prepared"]

# Number of chunks the parallel loops (and their reductions) are split into.
NCHUNKS = 256

_U = np.uint64
_ONE = np.uint64(1)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _chunk_bounds(indptr, nchunks):
    """Split ``range(n)`` into ``nchunks`` ranges of about equal work.

    The work of node ``v`` is ``1 + degree(v)``; boundaries depend only on the
    graph, so chunked reductions are reproducible for any thread count.
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


@numba.njit(**JIT)
def pagerank_pull(in_indptr, in_indices, out_degree, damping, tol, max_iter):
    """PageRank by power iteration, pulling over the in-adjacency.

    Parameters
    ----------
    in_indptr, in_indices : numpy.ndarray of int32 or int64
        CSR of the transposed adjacency: the sources ``u`` of the edges
        ``u -> v`` are ``in_indices[in_indptr[v]:in_indptr[v + 1]]``. For an
        undirected graph this is the plain (symmetric) adjacency.
    out_degree : numpy.ndarray of int
        Out-degree of every node (number of edges ``u -> *``).
    damping : float
        Damping factor (networkx's ``alpha``).
    tol : float
        Stop when the L1 change of an iteration is below ``n * tol``.
    max_iter : int
        Maximum number of iterations.

    Returns
    -------
    ranks : numpy.ndarray of float64
        The PageRank vector (sums to 1 up to rounding).
    iterations : int
        Iterations run.
    converged : bool
        Whether the tolerance was met within ``max_iter`` iterations.

    Notes
    -----
    One parallel pass over the nodes per iteration: each node pulls the
    contributions ``x[u] / out_degree[u]`` of its in-neighbours, updates its
    rank, adds to the L1 change and the dangling mass, and writes its own
    contribution for the next iteration into a second buffer (the two
    contribution buffers swap every iteration).

    All loop indices are unsigned: Numba inserts a negative-index wraparound
    check on every access through a signed index, and removing it from the
    gather loop made the kernel about twice as fast on kron18.
    """
    n = in_indptr.shape[0] - 1
    x = np.empty(n, dtype=np.float64)
    if n == 0:
        return x, 0, True
    damping = np.float64(damping)
    nchunks = min(NCHUNKS, n)
    bounds = _chunk_bounds(in_indptr, nchunks)
    inv_deg = np.empty(n, dtype=np.float64)
    # contributions, double buffered: the pull reads one, writes the other
    contrib = np.empty(n, dtype=np.float64)
    contrib_next = np.empty(n, dtype=np.float64)
    part_dangling = np.zeros(nchunks, dtype=np.float64)
    part_err = np.zeros(nchunks, dtype=np.float64)

    x0 = 1.0 / n
    for c in numba.prange(nchunks):
        d = 0.0
        for v in range(bounds[c], bounds[c + 1]):
            x[v] = x0
            if out_degree[v] > 0:
                inv = 1.0 / out_degree[v]
                inv_deg[v] = inv
                contrib[v] = x0 * inv
            else:
                inv_deg[v] = 0.0
                contrib[v] = 0.0
                d += x0
        part_dangling[c] = d
    dangling = 0.0
    for c in range(nchunks):
        dangling += part_dangling[c]

    teleport = (1.0 - damping) / n
    limit = n * tol
    iterations = 0
    converged = False
    while iterations < max_iter:
        dangling_share = dangling / n
        for c in numba.prange(nchunks):
            d = 0.0
            e = 0.0
            # unsigned indices (mind: uint64 + int64 is float64 in Numba)
            for v in range(_U(bounds[c]), _U(bounds[c + 1])):
                s = 0.0
                for j in range(_U(in_indptr[v]), _U(in_indptr[v + _ONE])):
                    s += contrib[_U(in_indices[j])]
                xn = damping * (s + dangling_share) + teleport
                e += abs(xn - x[v])
                x[v] = xn
                inv = inv_deg[v]
                contrib_next[v] = xn * inv
                if inv == 0.0:
                    d += xn
            part_dangling[c] = d
            part_err[c] = e
        dangling = 0.0
        err = 0.0
        for c in range(nchunks):
            dangling += part_dangling[c]
            err += part_err[c]
        contrib, contrib_next = contrib_next, contrib
        iterations += 1
        if err < limit:
            converged = True
            break
    return x, iterations, converged


def scipy_prepare(A, in_csr=None):
    """Arrays ``pagerank_scipy_prepared`` needs, from an out-adjacency.

    Parameters
    ----------
    A : scipy.sparse array or matrix, shape (n, n)
        Out-adjacency: ``A[u, v] != 0`` for every edge ``u -> v``. Stored
        values are ignored (every edge counts once, like networkx's
        ``weight=None``); duplicate entries are merged.
    in_csr : scipy.sparse array, optional
        The transpose of ``A`` in CSR form, if already at hand (for a
        symmetric ``A``, ``A`` itself). Saves one transposition.

    Returns
    -------
    M : scipy.sparse.csr_array
        Pattern of the in-adjacency with unit float64 values.
    inv_out_degree : numpy.ndarray of float64
        ``1 / out_degree`` (0 for dangling nodes).
    dangling : numpy.ndarray of int
        Indices of the nodes without out-edges.
    """
    A = sp.csr_array(A)
    if not A.has_canonical_format:
        A = A.copy()
        A.sum_duplicates()
    n = A.shape[0]
    if A.shape != (n, n):
        raise ValueError(f"adjacency must be square, got shape {A.shape}")
    out_degree = np.diff(A.indptr)
    if in_csr is None:
        M = A.T.tocsr()
    else:
        M = sp.csr_array(in_csr)
        if not M.has_canonical_format:
            M = M.copy()
            M.sum_duplicates()
    if M.dtype != np.float64 or not np.all(M.data == 1.0):
        M = sp.csr_array((np.ones(M.nnz), M.indices, M.indptr), shape=M.shape)
    inv = np.zeros(n, dtype=np.float64)
    has_out = out_degree > 0
    inv[has_out] = 1.0 / out_degree[has_out]
    return M, inv, np.flatnonzero(~has_out)


def pagerank_scipy_prepared(M, inv_out_degree, dangling, damping=0.85, tol=1e-6, max_iter=100):
    """The SciPy SpMV PageRank loop on arrays from ``scipy_prepare``.

    Returns ``(ranks, iterations, converged)`` like ``pagerank_pull``.
    """
    n = M.shape[0]
    if n == 0:
        return np.zeros(0), 0, True
    x = np.full(n, 1.0 / n)
    teleport = (1.0 - damping) / n
    limit = n * tol
    for it in range(1, max_iter + 1):
        xlast = x
        x = M @ (xlast * inv_out_degree)
        x += xlast[dangling].sum() / n
        x *= damping
        x += teleport
        err = np.abs(x - xlast).sum()
        if err < limit:
            return x, it, True
    return x, max_iter, False


def pagerank_scipy(A, damping=0.85, tol=1e-6, max_iter=100, *, in_csr=None):
    """PageRank by the SciPy sparse matrix-vector loop (networkx semantics).

    Parameters
    ----------
    A : scipy.sparse array or matrix, shape (n, n)
        Out-adjacency (``A[u, v] != 0`` for every edge ``u -> v``); values
        are ignored.
    damping, tol, max_iter
        As in ``pagerank_pull``.
    in_csr : scipy.sparse array, optional
        The transpose of ``A`` in CSR form, if already at hand.

    Returns
    -------
    ranks, iterations, converged
        As in ``pagerank_pull``.
    """
    M, inv, dangling = scipy_prepare(A, in_csr)
    return pagerank_scipy_prepared(M, inv, dangling, damping, tol, max_iter)
