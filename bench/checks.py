"""Reference answers and the checks every implementation's output must pass before its time counts.

Each kernel's output is first put in a canonical form (``Output``) by the
implementation's adapter, then compared with a reference computed once per
graph by code independent of groggy-jit: scipy for PageRank, components, BFS
and SSSP, a degree-ordered scipy SpGEMM for triangles (the hand-written kernel
when that product would not fit), and a level-by-level Brandes written with
scipy for sampled betweenness.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph

from kernels.pagerank import pagerank_scipy_prepared, scipy_prepare

__all__ = ["PR_DAMPING", "PR_L1_STOP", "PR_MAX_ITER", "reference", "check", "component_roots",
           "depth_from_dist", "sampled_betweenness_scale"]

PR_DAMPING = 0.85
PR_L1_STOP = 1e-4  # GAP: stop when the L1 change of an iteration is below this
PR_MAX_ITER = 20
# GAP mode stops up to 1e-4 (L1) short of the fixed point, so solvers that iterate
# further (PRPACK) differ by up to 1e-4 * d / (1 - d) ~ 6e-4; fixed 20 iterations
# must agree to rounding.
PR_GAP_L1 = 1e-3
PR_FIXED_L1 = 1e-9
BC_RTOL = 1e-6
# The scipy triangle reference forms U @ U; above this many products use the hand-written kernel.
TC_SCIPY_MAX_PRODUCTS = 200_000_000


def pagerank_reference(A, max_iter, l1_stop):
    M, inv, dangling = scipy_prepare(A, A)
    ranks, _, _ = pagerank_scipy_prepared(M, inv, dangling, PR_DAMPING, l1_stop / A.shape[0], max_iter)
    return ranks


def component_roots(labels) -> np.ndarray:
    """Each node's smallest fellow member: equal arrays mean equal partitions."""
    labels = np.asarray(labels)
    _, inverse = np.unique(labels, return_inverse=True)
    first = np.full(inverse.max() + 1 if inverse.size else 0, labels.size, dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(labels.size))
    return first[inverse]


def depth_from_dist(dist) -> np.ndarray:
    """BFS depths (-1 where unreached) from a float hop-distance array."""
    dist = np.asarray(dist, dtype=np.float64)
    return np.where(np.isfinite(dist) & (dist < 1e300), dist, -1).astype(np.int64)


def _degree_ordered_upper(A):
    """Arcs ``u -> v`` with ``(deg u, u) < (deg v, v)``: each triangle appears once in it."""
    deg = np.diff(A.indptr)
    rank = np.empty(A.shape[0], dtype=np.int64)
    rank[np.lexsort((np.arange(A.shape[0]), deg))] = np.arange(A.shape[0])
    C = A.tocoo()
    keep = rank[C.row] < rank[C.col]
    return sp.csr_array((np.ones(int(keep.sum())), (rank[C.row[keep]], rank[C.col[keep]])), shape=A.shape)


def spgemm_triangles(A):
    """Triangles by scipy: ``sum((U @ U) * U)`` over the degree-ordered upper part ``U``,
    or None when ``U @ U`` would exceed ``TC_SCIPY_MAX_PRODUCTS`` products (memory)."""
    U = _degree_ordered_upper(A)
    products = int((np.diff(U.indptr) * np.asarray(U.sum(axis=0)).ravel()).sum())
    return None if products > TC_SCIPY_MAX_PRODUCTS else int((U @ U).multiply(U).sum())


def triangle_reference(A):
    count = spgemm_triangles(A)
    if count is None:
        from kernels.triangles import triangle_count

        return int(triangle_count(A.indptr, A.indices)), "hand-written kernel (scipy U @ U too large)"
    return count, "scipy degree-ordered (U @ U) * U"


def betweenness_reference(A, sources):
    """networkx's normalized betweenness estimated from ``sources`` (Brandes, level by level).

    Each level's path counts are kept as mantissas scaled by a power of two of the level
    (``np.frexp`` of its largest count), so counts past float64's range (a large grid's)
    stay exact to rounding instead of overflowing.
    """
    n = A.shape[0]
    bc = np.zeros(n)
    for s in sources:
        depth = np.full(n, -1, dtype=np.int64)
        sigma = np.zeros(n)                 # a level's counts over 2 ** exponent[level]
        depth[s], sigma[s] = 0, 1.0
        levels, exponent = [np.array([s])], [0]
        while True:
            front = levels[-1]
            rows = A[front]  # arcs out of this level
            R = rows.tocoo()
            nxt = R.col[depth[R.col] < 0]
            if nxt.size == 0:
                break
            nxt = np.unique(nxt)
            depth[nxt] = len(levels)
            # paths into the next level: sum over its parents on this level
            counts = np.bincount(R.col, weights=sigma[front][R.row], minlength=n)[nxt]
            shift = int(np.frexp(counts.max())[1])
            sigma[nxt] = np.ldexp(counts, -shift)
            levels.append(nxt)
            exponent.append(exponent[-1] + shift)
        delta = np.zeros(n)
        for d in range(len(levels) - 1, 0, -1):
            R = A[levels[d]].tocoo()
            child = levels[d][R.row]
            parent = R.col
            on = depth[parent] == d - 1
            ratio = np.ldexp(sigma[parent[on]] / sigma[child[on]], exponent[d - 1] - exponent[d])
            delta += np.bincount(parent[on], weights=ratio * (1.0 + delta[child[on]]), minlength=n)
        delta[s] = 0.0
        bc += delta
    return bc * sampled_betweenness_scale(n, sources)


def sampled_betweenness_scale(n, sources) -> np.ndarray:
    """Per node, the factor networkx (3.6) applies to summed dependencies from ``sources``
    for normalized betweenness without endpoints: ``1 / (k (n - 2))``, and
    ``1 / ((k - 1)(n - 2))`` on the sources themselves (they cannot count their own paths)."""
    k = len(sources)
    if n <= 2:
        return np.ones(n)
    scale = np.full(n, 1.0 / (k * (n - 2)))
    scale[list(sources)] = 1.0 / ((k - 1) * (n - 2)) if k > 1 else np.nan
    return scale


def reference(kernel, inp):
    """``(answer, how)``: the reference output of ``kernel`` on the inputs ``inp``."""
    A, s = inp["A"], inp["source"]
    if kernel == "pagerank_gap":
        return pagerank_reference(A, PR_MAX_ITER, PR_L1_STOP), "scipy SpMV loop (GAP rule)"
    if kernel == "pagerank_20":
        return pagerank_reference(A, PR_MAX_ITER, 0.0), "scipy SpMV loop (20 iterations)"
    if kernel == "cc":
        return component_roots(csgraph.connected_components(A, directed=False)[1]), "scipy"
    if kernel == "bfs":
        return depth_from_dist(csgraph.shortest_path(A, unweighted=True, indices=s)), "scipy"
    if kernel == "sssp":
        return csgraph.dijkstra(inp["W"], directed=True, indices=s), "scipy dijkstra"
    if kernel == "tc":
        return triangle_reference(A)
    if kernel == "bc":
        return betweenness_reference(A, inp["bc_sources"]), "scipy Brandes"
    raise KeyError(kernel)


def check(kernel, output, ref, inp) -> str | None:
    """``None`` when ``output`` (an adapter's canonical output) matches ``ref``; else what differs."""
    kind, value = output
    if kernel.startswith("pagerank"):
        x = np.asarray(value, dtype=np.float64)
        if x.shape != ref.shape:
            return f"{x.size} ranks for {ref.size} nodes"
        l1 = float(np.abs(x - ref).sum())
        limit = PR_GAP_L1 if kernel == "pagerank_gap" else PR_FIXED_L1
        return None if l1 <= limit else f"L1 distance {l1:.2e} > {limit:g}"
    if kernel == "cc":
        roots = component_roots(value)
        wrong = int((roots != ref).sum()) if roots.shape == ref.shape else ref.size
        return None if wrong == 0 else f"{wrong} nodes in the wrong component"
    if kernel == "bfs":
        if kind == "depth":
            depth = np.asarray(value, dtype=np.int64)
            wrong = int((depth != ref).sum()) if depth.shape == ref.shape else ref.size
            return None if wrong == 0 else f"{wrong} wrong depths"
        # a BFS tree (GAP's check): same nodes reached, each parent one level up, along an arc
        parent = np.asarray(value, dtype=np.int64)
        reached = parent >= 0
        if not np.array_equal(reached, ref >= 0):
            return f"reached {int(reached.sum())} nodes, reference {int((ref >= 0).sum())}"
        v = np.flatnonzero(reached & (np.arange(ref.size) != inp["source"]))
        bad = ref[parent[v]] != ref[v] - 1
        bad |= np.asarray(inp["A"][parent[v], v]).ravel() == 0
        return None if not bad.any() else f"{int(bad.sum())} bad parents"
    if kernel == "sssp":
        dist = np.asarray(value, dtype=np.float64)
        dist = np.where(dist >= 1e300, np.inf, dist)
        wrong = int((dist != ref).sum()) if dist.shape == ref.shape else ref.size
        return None if wrong == 0 else f"{wrong} wrong distances"
    if kernel == "tc":
        return None if int(value) == ref else f"{int(value)} triangles, reference {ref}"
    if kernel == "bc":
        x = np.asarray(value, dtype=np.float64)
        if x.shape != ref.shape:
            return f"{x.size} values, reference {ref.size}"
        if np.allclose(x, ref, rtol=BC_RTOL, atol=1e-12, equal_nan=True):
            return None
        nan = int((np.isnan(x) != np.isnan(ref)).sum())
        return f"max |diff| {np.nanmax(np.abs(x - ref))}" + (f", {nan} values NaN on one side only"
                                                             if nan else "")
    raise KeyError(kernel)
