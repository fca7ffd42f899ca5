"""A graph cut into contiguous node ranges, each with its halo and exchange lists.

A partition's *halo graph* numbers its local nodes ``0 .. L-1`` (global ``lo .. hi-1``)
and then its ghosts (the other ends of its local nodes' arcs, in global order).  It
holds every in-arc and every out-arc of the local nodes, so a pull, a degree or any
elementwise op is exact at local nodes once the ghosts hold current values.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ..errors import GraphInputError, ParameterError
from ..graph import Graph, as_graph
from ..runtime.executor import unit_weights


@dataclass
class Partition:
    """What one worker holds: its halo graph and the global id of every halo node."""
    index: int
    lo: int
    hi: int
    graph: Graph
    global_index: np.ndarray          # halo position -> global node id (local ones first)
    ones: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def num_local(self) -> int:
        return self.hi - self.lo

    def unit_weights(self) -> np.ndarray:
        """The halo graph's all-ones arc weights, made once where the partition lives
        (for an unweighted graph's kernels that read weights, every phase)."""
        if self.ones is None:
            self.ones = unit_weights(self.graph)
        return self.ones


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


def receives(ranges: list[tuple[int, int]], ghosts: list[np.ndarray]) -> list[list[Receive]]:
    """For every partition (its node range and ghost ids), where its ghosts' values come
    from, grouped by owner."""
    bounds = np.array([lo for lo, _ in ranges] + [ranges[-1][1]])
    out = []
    for target, ((lo, hi), ids) in enumerate(zip(ranges, ghosts)):
        owners = np.searchsorted(bounds, ids, side="right") - 1
        lists = []
        for owner in np.unique(owners).tolist():
            where = np.flatnonzero(owners == owner)
            lists.append(Receive(owner, target, hi - lo + int(where[0]),
                                 ids[where] - ranges[owner][0]))
        out.append(lists)
    return out


# --- partitions on disk: one file each, so no process needs the whole graph ---------------

INDEX_FILE = "partitions.json"


@dataclass(frozen=True)
class GraphSummary:
    """What the coordinator knows of a graph it never loads: sizes and kind."""
    num_nodes: int
    num_edges: int
    directed: bool
    weighted: bool
    node_labels: None = None


def write_partitions(G, folder, partitions: int) -> Path:
    """Cut ``G`` into ``partitions`` node ranges and write ``folder/part-<p>.npz`` (each
    partition's halo graph and global ids) and ``folder/partitions.json``; a later
    ``run_partitioned(algo, folder, client)`` has each worker read only its own file."""
    graph = as_graph(G)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ranges = node_ranges(graph.num_nodes, partitions, graph)
    for index, (lo, hi) in enumerate(ranges):
        halo = halo_partition(graph, index, lo, hi)
        h = halo.graph
        np.savez(folder / f"part-{index}.npz", indptr=h.out_indptr, indices=h.out_indices,
                 weights=h.out_weights if h.weighted else np.zeros(0),
                 global_index=halo.global_index, lo=lo, hi=hi, directed=h.directed)
    meta = {"format": 1, "num_nodes": graph.num_nodes, "num_edges": graph.num_edges,
            "directed": graph.directed, "weighted": graph.weighted, "ranges": ranges}
    (folder / INDEX_FILE).write_text(json.dumps(meta, indent=1))
    return folder


def read_index(folder) -> tuple[GraphSummary, list[tuple[int, int]]]:
    """The graph's summary and node ranges from a folder ``write_partitions`` wrote."""
    path = Path(folder) / INDEX_FILE
    try:
        meta = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise GraphInputError(f"{path}: not a partition index ({error}); write one with "
                              "groggy_jit.dask.write_partitions(G, folder, partitions)") from None
    summary = GraphSummary(meta["num_nodes"], meta["num_edges"], meta["directed"],
                           meta["weighted"])
    return summary, [tuple(r) for r in meta["ranges"]]


def read_partition(folder, index: int) -> Partition:
    """On a worker: partition ``index`` from its own file."""
    with np.load(Path(folder) / f"part-{index}.npz") as data:
        global_index = data["global_index"]
        size = len(global_index)
        weighted = len(data["weights"]) > 0
        weights = data["weights"] if weighted else np.ones(len(data["indices"]))
        A = sp.csr_array((weights, data["indices"], data["indptr"]), shape=(size, size))
        graph = Graph._build(A, directed=bool(data["directed"]), weighted=weighted)
        return Partition(index, int(data["lo"]), int(data["hi"]), graph, global_index)


def is_partition_folder(path) -> bool:
    return isinstance(path, (str, os.PathLike)) and (Path(path) / INDEX_FILE).is_file()
