"""networkx's link prediction scores, from the compiled ``link_prediction`` algorithm.

The pairs are scored a batch at a time, each batch one kernel run over its pairs, so the
generator networkx returns stays lazy and no neighbourhood is intersected in Python.
"""

from __future__ import annotations

import math
from itertools import islice

import networkx as nx
import numpy as np

from .functions import DISPATCHED, _run
from .graph import BackendGraph

__all__ = ["jaccard_coefficient", "adamic_adar_index", "resource_allocation_index",
           "preferential_attachment", "common_neighbor_centrality"]

# pairs scored by one kernel run: bounds a batch's memory
_BATCH = 1 << 16


def _non_edges(G: BackendGraph):
    """``networkx.non_edges(G)`` of an undirected graph, in the order networkx yields them."""
    graph, labels = G.lightest, G.nodes
    indptr, indices = graph.out_indptr, graph.out_indices
    positions = G.positions
    nodes = set(labels)
    while nodes:
        u = nodes.pop()
        i = positions[u]
        neighbours = {labels[j] for j in indices[indptr[i]:indptr[i + 1]].tolist()}
        for v in nodes - neighbours:
            yield u, v


def _pairs(G: BackendGraph, ebunch):
    """The pairs to score, checked as networkx checks them (before the first is scored)."""
    if G.directed:
        raise nx.NetworkXNotImplemented("not implemented for directed type")
    if G.multigraph:
        raise nx.NetworkXNotImplemented("not implemented for multigraph type")
    if ebunch is None:
        return _non_edges(G)
    for u, v in ebunch:
        if u not in G:
            raise nx.NodeNotFound(f"Node {u} not in G.")
        if v not in G:
            raise nx.NodeNotFound(f"Node {v} not in G.")
    return ebunch


def _scored(function: str, G: BackendGraph, ebunch, score):
    """``(u, v, score)`` for every pair; ``score(scores, ends)`` makes a batch's networkx
    values from the algorithm's outputs and the pairs' node indices."""
    pairs = iter(_pairs(G, ebunch))
    positions = G.positions
    DISPATCHED[function] += 1

    def batches():
        while batch := list(islice(pairs, _BATCH)):
            ends = np.fromiter((positions[w] for pair in batch for w in pair), np.int64,
                               2 * len(batch)).reshape(-1, 2)
            scores = _run(function, "link_prediction", G, counted=False, pairs=ends).value
            yield from ((a, b, p) for (a, b), p in zip(batch, score(scores, ends)))
    return batches()


def _with_int_zeros(values: np.ndarray, zero: np.ndarray) -> list:
    """``values`` as Python floats, the int 0 where ``zero`` holds (as networkx gives)."""
    out = values.tolist()
    for k in np.flatnonzero(zero).tolist():
        out[k] = 0
    return out


def _sums(values: np.ndarray) -> list:
    """A sum over common neighbours as networkx's ``sum``: the int 0 without any (every
    term is positive)."""
    return _with_int_zeros(values, values == 0)


def jaccard_coefficient(G, ebunch=None):
    isolated = np.diff(G.lightest.out_indptr) == 0

    def score(scores, ends):                       # an empty union: networkx's int 0
        return _with_int_zeros(scores["jaccard"], isolated[ends[:, 0]] & isolated[ends[:, 1]])
    return _scored("jaccard_coefficient", G, ebunch, score)


def resource_allocation_index(G, ebunch=None):
    return _scored("resource_allocation_index", G, ebunch,
                   lambda scores, ends: _sums(scores["resource_allocation"]))


def adamic_adar_index(G, ebunch=None):
    def score(scores, ends):
        values = scores["adamic_adar"]
        # a common neighbour of degree 1: networkx divides by log(1) = 0 at that pair
        bad = np.flatnonzero(values == math.inf)
        yield from _sums(values[:bad[0]] if len(bad) else values)
        if len(bad):
            raise ZeroDivisionError("float division by zero")
    return _scored("adamic_adar_index", G, ebunch, score)


def preferential_attachment(G, ebunch=None):
    return _scored("preferential_attachment", G, ebunch,
                   lambda scores, ends: scores["preferential_attachment"].tolist())


def common_neighbor_centrality(G, ebunch=None, alpha=0.8):
    n = len(G.nodes)

    def score(scores, ends):
        depths = {}                        # a breadth-first search per source of the batch
        for (i, j), common in zip(ends.tolist(), scores["common_neighbors"].tolist()):
            if i == j:
                raise nx.NetworkXAlgorithmError("Self loops are not supported")
            if alpha == 1:
                yield common
                continue
            if i not in depths:
                depths[i] = _run("common_neighbor_centrality", "bfs", G, counted=False,
                                 source=G.nodes[i]).value["depth"]
            hops = int(depths[i][j])
            path_len = math.inf if hops < 0 else hops
            yield alpha * common + (1 - alpha) * n / path_len    # networkx's own arithmetic
    return _scored("common_neighbor_centrality", G, ebunch, score)
