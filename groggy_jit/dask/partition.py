"""A graph cut into contiguous node ranges, each with its halo and exchange lists.

A partition's *halo graph* numbers its local nodes ``0 .. L-1`` (global ``lo .. hi-1``)
and then its ghosts (the other ends of its local nodes' arcs, in global order).  It
holds every in-arc and every out-arc of the local nodes, so a pull, a degree or any
elementwise op is exact at local nodes once the ghosts hold current values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import ParameterError
from ..graph import Graph


@dataclass
class Partition:
    """What one worker holds: its halo graph and the global id of every halo node."""
    index: int
    lo: int
    hi: int
    graph: Graph
    global_index: np.ndarray          # halo position -> global node id (local ones first)

    @property
    def num_local(self) -> int:
        return self.hi - self.lo


@dataclass(frozen=True)
class Receive:
    """Ghost values partition ``target`` gets from ``owner`` each time a value is exchanged:
    ``owner``'s local positions ``send``, written to ``target``'s halo positions
    ``start .. start + len(send)``."""
    owner: int
    target: int
    start: int
    send: np.ndarray


def node_ranges(n: int, partitions: int, graph: Graph | None = None) -> list[tuple[int, int]]:
    """``partitions`` contiguous ranges covering ``0 .. n-1``, balanced by nodes + in-arcs
    when the graph is at hand (as the kernels balance their chunks), else by nodes."""
    if isinstance(partitions, bool) or not isinstance(partitions, int) or partitions < 1:
        raise ParameterError(f"partitions={partitions!r}: pass a whole number >= 1")
    if partitions > max(n, 1):
        raise ParameterError(f"partitions={partitions} is more than the graph's {n} node(s)")
    if graph is None:
        cuts = [n * p // partitions for p in range(partitions + 1)]
    else:
        work = graph.in_indptr.astype(np.int64) + np.arange(n + 1)
        cuts = np.searchsorted(work, work[-1] * np.arange(partitions + 1) // partitions).tolist()
        cuts[0], cuts[-1] = 0, n
        for p in range(1, partitions):              # every range holds a node at least
            cuts[p] = min(max(cuts[p], cuts[p - 1] + 1), n - (partitions - p))
    return list(zip(cuts[:-1], cuts[1:]))


def halo_partition(graph: Graph, index: int, lo: int, hi: int) -> Partition:
    """Partition ``index`` of ``graph``: nodes ``lo .. hi-1``, their arcs and ghosts."""
    local = hi - lo
    in_rows = slice(int(graph.in_indptr[lo]), int(graph.in_indptr[hi]))
    out_rows = slice(int(graph.out_indptr[lo]), int(graph.out_indptr[hi]))
    in_src = graph.in_indices[in_rows].astype(np.int64)
    in_dst = np.repeat(np.arange(lo, hi), np.diff(graph.in_indptr[lo:hi + 1]))
    out_src = np.repeat(np.arange(lo, hi), np.diff(graph.out_indptr[lo:hi + 1]))
    out_dst = graph.out_indices[out_rows].astype(np.int64)
    to_ghost = (out_dst < lo) | (out_dst >= hi)      # arcs between local nodes are in-arcs too
    src = np.concatenate([in_src, out_src[to_ghost]])
    dst = np.concatenate([in_dst, out_dst[to_ghost]])
    ends = np.concatenate([src, dst])
    ghosts = np.unique(ends[(ends < lo) | (ends >= hi)])
    global_index = np.concatenate([np.arange(lo, hi), ghosts])

    def position(ids):
        inside = (ids >= lo) & (ids < hi)
        return np.where(inside, ids - lo, local + np.searchsorted(ghosts, ids))

    if graph.weighted:
        weights = np.concatenate([graph.in_weights[in_rows], graph.out_weights[out_rows][to_ghost]])
    else:
        weights = np.ones(len(src))
    size = len(global_index)
    A = sp.csr_array((weights, (position(src), position(dst))), shape=(size, size))
    A.sort_indices()
    halo = Graph._build(A, directed=graph.directed, weighted=graph.weighted)
    return Partition(index, lo, hi, halo, global_index)


def receives(parts: list[Partition]) -> list[list[Receive]]:
    """For every partition, where its ghosts' values come from (grouped by owner)."""
    bounds = np.array([p.lo for p in parts] + [parts[-1].hi])
    out = []
    for part in parts:
        ghosts = part.global_index[part.num_local:]
        owners = np.searchsorted(bounds, ghosts, side="right") - 1
        lists = []
        for owner in np.unique(owners).tolist():
            where = np.flatnonzero(owners == owner)
            lists.append(Receive(owner, part.index, part.num_local + int(where[0]),
                                 ghosts[where] - parts[owner].lo))
        out.append(lists)
    return out
