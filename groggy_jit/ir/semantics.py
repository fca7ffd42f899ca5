"""The numpy meaning of ops, used by the interpreter, constant folding and the cost model.

Each function computes one op over whole arrays from a graph: ``g`` has the
CSR (out) and CSC (in) adjacency (``in_indptr``, ``in_indices``, ``in_weights``,
and ``out_*``), ``num_nodes``, ``num_edges`` and ``directed``.  The op table
(``ir/ops.py``) names which function is an op's meaning.
"""

from __future__ import annotations

import numpy as np

from .types import DType


def cast(value, dtype):
    """Cast a scalar or array to a numpy dtype."""
    if isinstance(value, np.ndarray):
        return value.astype(dtype, copy=False)
    return dtype.type(value)


def as_result(out, dtype: DType):
    """A numpy result as the node's dtype: a numpy scalar or an array."""
    if np.ndim(out) == 0:
        return dtype.numpy.type(out)
    return np.asarray(out).astype(dtype.numpy, copy=False)


def dtype_of(x: np.ndarray) -> DType:
    return {np.dtype(np.bool_): DType.BOOL, np.dtype(np.int64): DType.I64}.get(x.dtype, DType.F64)


def degree(g, over: str) -> np.ndarray:
    d_in = np.diff(g.in_indptr).astype(np.int64)
    d_out = np.diff(g.out_indptr).astype(np.int64)
    if over == "in":
        return d_in
    if over == "out":
        return d_out
    return d_in + d_out if g.directed else d_in


def arcs(g, over: str, first: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(target, source, weight) of every arc a pull over ``over`` reads (with ``first``,
    only each node's first ``first`` arcs of every direction)."""
    lists = {"in": (g.in_indptr, g.in_indices, g.in_weights),
             "out": (g.out_indptr, g.out_indices, g.out_weights)}
    if over == "both":
        directions = ["in", "out"] if g.directed else ["in"]
    else:
        directions = [over]
    n = g.num_nodes
    targets, sources, weights = [], [], []
    for d in directions:
        indptr, indices, w = lists[d]
        target = np.repeat(np.arange(n), np.diff(indptr))
        keep = slice(None)
        if first is not None:
            keep = np.arange(len(target)) - np.asarray(indptr, dtype=np.int64)[target] < first
        targets.append(target[keep])
        sources.append(np.asarray(indices, dtype=np.int64)[keep])
        weights.append((np.ones(len(indices)) if w is None else np.asarray(w))[keep])
    return np.concatenate(targets), np.concatenate(sources), np.concatenate(weights)


def arc_targets(g) -> np.ndarray:
    """The target of every arc, in in-CSR order (the order of edge maps)."""
    return np.repeat(np.arange(g.num_nodes), np.diff(g.in_indptr))


def arc_sources(g) -> np.ndarray:
    return np.asarray(g.in_indices, dtype=np.int64)


def edge_weights(g) -> np.ndarray:
    w = g.in_weights
    return np.ones(g.num_edges) if w is None else np.asarray(w, dtype=np.float64)


def common_neighbors(g) -> np.ndarray:
    n = g.num_nodes
    out_lists = [set(g.out_indices[g.out_indptr[v]:g.out_indptr[v + 1]].tolist()) for v in range(n)]
    return np.array([len((out_lists[u] & out_lists[v]) - {u, v})
                     for u, v in zip(arc_sources(g).tolist(), arc_targets(g).tolist())],
                    dtype=np.int64)


def triangles(g, once: bool) -> np.ndarray:
    """Each node's triangles over the out-lists (self loops ignored); ``once``: only those
    whose other two nodes both rank above it by (list length, id)."""
    n = g.num_nodes
    out_lists = [set(g.out_indices[g.out_indptr[v]:g.out_indptr[v + 1]].tolist()) - {v}
                 for v in range(n)]
    rank = {v: (int(g.out_indptr[v + 1] - g.out_indptr[v]), v) for v in range(n)}
    counts = np.zeros(n, dtype=np.int64)
    for v in range(n):
        for u in out_lists[v]:
            for x in out_lists[v] & out_lists[u]:
                if not once or rank[v] < min(rank[u], rank[x]):
                    counts[v] += 1
    return counts // 2                        # each triangle met from both its other nodes


def triangle_weights(g, e) -> np.ndarray:
    n = g.num_nodes
    indptr, indices = g.in_indptr, g.in_indices
    position = [{int(indices[p]): p for p in range(indptr[v], indptr[v + 1])} for v in range(n)]
    out = np.zeros(g.num_edges, dtype=np.float64)
    for k, (j, i) in enumerate(zip(arc_sources(g).tolist(), arc_targets(g).tolist())):
        total = 0.0
        for x in sorted((position[j].keys() & position[i].keys()) - {i, j}):
            total += np.cbrt(e[k] * e[position[j][x]] * e[position[i][x]])
        out[k] = total
    return out


def _in_position(g, source, target) -> int:
    """Where the arc source -> target is in the in-CSR; -1 when there is none."""
    lo, hi = int(g.in_indptr[target]), int(g.in_indptr[target + 1])
    at = lo + int(np.searchsorted(g.in_indices[lo:hi], source))
    return at if at < hi and g.in_indices[at] == source else -1


def reverse_arcs(g, e, missing) -> np.ndarray:
    out = np.full(len(e), missing, dtype=e.dtype)
    for k, (j, i) in enumerate(zip(arc_sources(g).tolist(), arc_targets(g).tolist())):
        at = _in_position(g, i, j)
        if at >= 0:
            out[k] = e[at]
    return out


def directed_triangle_weights(g, e) -> np.ndarray:
    """Node by node in the order the kernel's helper sums (``weigh_directed_triangles``)."""
    n = g.num_nodes
    ins = [g.in_indices[g.in_indptr[v]:g.in_indptr[v + 1]].tolist() for v in range(n)]
    outs = [g.out_indices[g.out_indptr[v]:g.out_indptr[v + 1]].tolist() for v in range(n)]
    out = np.zeros(n, dtype=np.float64)

    def arcs(v):            # (other end, cube root of the arc's value): in-arcs, then out-arcs
        yield from ((u, np.cbrt(e[g.in_indptr[v] + p])) for p, u in enumerate(ins[v]))
        yield from ((u, np.cbrt(e[_in_position(g, v, u)])) for u in outs[v])
    for i in range(n):
        mark = {}
        for k, root in arcs(i):
            if k != i:
                mark[k] = mark.get(k, 0.0) + root
        total = 0.0
        for j in dict.fromkeys(k for k in ins[i] + outs[i] if k != i):
            on_j = 0.0
            for k, root in arcs(j):
                if k != i and k != j and k in mark:
                    on_j += mark[j] * mark[k] * root
            total += on_j
        out[i] = total
    return out


def reduce_rows(gathered, target, red, n: int, dtype: DType) -> np.ndarray:
    """Reduce arc values onto their target nodes with ``red`` (identity where a node
    has none)."""
    out = np.empty(n, dtype=dtype.numpy)
    order = np.argsort(target, kind="stable")
    target, gathered = target[order], gathered[order]
    bounds = np.searchsorted(target, np.arange(n + 1))
    for v in range(n):
        seg = gathered[bounds[v]:bounds[v + 1]]
        if len(seg) == 0:
            out[v] = red.identity(dtype_of(gathered))
        else:
            out[v] = red.numpy(_summable(seg, red))
    return out


def _summable(x: np.ndarray, red) -> np.ndarray:
    return x.astype(np.int64) if red.name == "sum" and x.dtype == bool else x


def reduce_all(x: np.ndarray, red, dtype: DType):
    """Reduce a whole node or edge map to a scalar of ``dtype`` with ``red``."""
    if len(x) == 0:
        return dtype.numpy.type(red.identity(dtype_of(x)))
    return cast(red.numpy(_summable(x, red)), dtype.numpy)


def gather(x, index, missing, dtype: DType) -> np.ndarray:
    """``x[index]``; an index outside ``0..n-1`` reads ``missing``."""
    n = len(x)
    valid = (index >= 0) & (index < n)
    out = np.full(len(index), missing, dtype=dtype.numpy)
    out[valid] = x[index[valid]]
    return out


def pair_common(g, u, v, x, include_ends: bool, dtype: DType) -> np.ndarray:
    """Per pair, the sum of ``x`` over the common out-neighbours of its ends, added one by
    one in increasing neighbour order (as the kernel adds them); an end outside 0..n-1
    has no neighbours."""
    indptr, indices = g.out_indptr, g.out_indices
    out = np.zeros(len(u), dtype=dtype.numpy)
    for p, (a, b) in enumerate(zip(u.tolist(), v.tolist())):
        if not (0 <= a < g.num_nodes and 0 <= b < g.num_nodes):
            continue
        common = np.intersect1d(indices[indptr[a]:indptr[a + 1]],
                                indices[indptr[b]:indptr[b + 1]])
        if not include_ends:
            common = common[(common != a) & (common != b)]
        total = out[p]
        for w in common.tolist():
            total = total + x[w]
        out[p] = total
    return out


def scatter(x, index, values, red, dtype: DType) -> np.ndarray:
    """A copy of ``x`` with every ``values[i]`` folded in at ``index[i]``, in node order."""
    out = x.copy()
    n = len(x)
    values = np.broadcast_to(np.asarray(values, dtype=dtype.numpy), (n,))
    valid = (index >= 0) & (index < n)
    red.ufunc.at(out, index[valid], values[valid])
    return out


def pulled(g, x, mask, at, over: str, weight, combine, first=None):
    """(target, source, gathered value) of every arc a pull reads, masks applied."""
    target, source, w = arcs(g, over, first)
    keep = np.ones(len(target), dtype=bool)
    if mask is not None:                              # only active sources
        keep &= mask[source]
    if at is not None:                                # only the chosen targets
        keep &= at[target]
    target, source, w = target[keep], source[keep], w[keep]
    gathered = x[source]
    if weight:
        gathered = gathered * w if combine == "mul" else gathered + w
    return target, source, gathered


def best_neighbour(n, target, source, gathered, largest: bool) -> np.ndarray:
    """Per target, the source of its smallest (or largest) value; ties to the smallest
    source, NaN never chosen, -1 without a candidate."""
    out = np.full(n, -1, dtype=np.int64)
    keep = ~np.isnan(gathered) if gathered.dtype == np.float64 else slice(None)
    target, source, gathered = target[keep], source[keep], gathered[keep]
    if largest:          # by target, value descending, source ascending: last of each target
        order = np.lexsort((-source, gathered, target))
        target, source = target[order], source[order]
        pick = np.ones(len(target), dtype=bool)
        pick[:-1] = target[1:] != target[:-1]
    else:                # by target, value, source: first of each target
        order = np.lexsort((source, gathered, target))
        target, source = target[order], source[order]
        pick = np.ones(len(target), dtype=bool)
        pick[1:] = target[1:] != target[:-1]
    out[target[pick]] = source[pick]
    return out


def most_frequent(x, target, gathered) -> np.ndarray:
    """Per target, the most frequent value (ties to the smallest); its own without any."""
    if x.dtype == np.float64:                     # -0.0 counts as 0.0
        x, gathered = x + 0.0, gathered + 0.0
    out = x.copy()
    order = np.argsort(target, kind="stable")
    target, gathered = target[order], gathered[order]
    bounds = np.searchsorted(target, np.arange(len(x) + 1))
    for v in range(len(x)):
        seg = gathered[bounds[v]:bounds[v + 1]]
        if len(seg):
            values, counts = np.unique(seg, return_counts=True)
            out[v] = values[np.argmax(counts)]       # unique sorts: ties go to the smallest
    return out
