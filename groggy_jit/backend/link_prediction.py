"""networkx's link prediction scores, for many node pairs at once.

Every pair's neighbourhoods are intersected together: the pairs' rows of the
adjacency matrix are multiplied elementwise, a batch of pairs at a time, so the
generator networkx returns stays lazy and a call never loops over pairs in Python.
"""

from __future__ import annotations

from itertools import islice

import networkx as nx
import numpy as np
import scipy.sparse as sp

from .functions import DISPATCHED, nx_degree
from .graph import BackendGraph

__all__ = ["jaccard_coefficient", "adamic_adar_index", "resource_allocation_index",
           "preferential_attachment"]

# pairs scored together: bounds the memory of a batch's rows
_BATCH = 1 << 14


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
    """``(u, v, score)`` for every pair.  ``score(u, v, common, shared)`` gets a batch's
    node indices, its common neighbours as a (pair, node) 0/1 matrix, and how many
    neighbours each pair shares counting u and v themselves."""
    pairs = iter(_pairs(G, ebunch))
    adjacency = _adjacency(G)
    positions = G.positions
    DISPATCHED[function] += 1

    def batches():
        while batch := list(islice(pairs, _BATCH)):
            u = np.fromiter((positions[a] for a, _ in batch), np.int64, len(batch))
            v = np.fromiter((positions[b] for _, b in batch), np.int64, len(batch))
            common = adjacency[u].multiply(adjacency[v]).tocoo()
            shared = np.bincount(common.row, minlength=len(batch))
            # N(u) ∩ N(v) without u and v themselves, as networkx.common_neighbors
            keep = (common.col != u[common.row]) & (common.col != v[common.row])
            common = sp.csr_matrix((common.data[keep], (common.row[keep], common.col[keep])),
                                   shape=common.shape)
            yield from ((a, b, p) for (a, b), p in zip(batch, score(u, v, common, shared)))
    return batches()


def _adjacency(G: BackendGraph) -> sp.csr_matrix:
    """The 0/1 adjacency matrix, a self loop on the diagonal."""
    graph = G.lightest
    n = graph.num_nodes
    return sp.csr_matrix((np.ones(len(graph.out_indices)), graph.out_indices, graph.out_indptr),
                         shape=(n, n))


def _sums(common: sp.csr_matrix, per_node: np.ndarray) -> list:
    """Per pair, the sum of ``per_node`` over its common neighbours; 0 (an int, as
    networkx's empty ``sum``) for a pair without any."""
    totals = (common @ per_node).tolist()
    counts = np.diff(common.indptr).tolist()
    return [total if count else 0 for total, count in zip(totals, counts)]


def jaccard_coefficient(G, ebunch=None):
    neighbours = np.diff(G.lightest.out_indptr)

    def score(u, v, common, shared):
        # |N(u) ∪ N(v)| counts u and v where they are neighbours, as networkx does
        union = neighbours[u] + neighbours[v] - shared
        return [0 if size == 0 else c / size
                for c, size in zip(np.diff(common.indptr).tolist(), union.tolist())]
    return _scored("jaccard_coefficient", G, ebunch, score)


def resource_allocation_index(G, ebunch=None):
    with np.errstate(divide="ignore"):                # isolated nodes: never a common neighbour
        inverse = 1 / nx_degree(G.lightest).astype(np.float64)
    return _scored("resource_allocation_index", G, ebunch,
                   lambda u, v, common, shared: _sums(common, inverse))


def adamic_adar_index(G, ebunch=None):
    degree = nx_degree(G.lightest)
    with np.errstate(divide="ignore"):
        inverse_log = 1 / np.log(degree.astype(np.float64))

    def score(u, v, common, shared):
        if np.any(degree[common.indices] == 1):       # log(1) = 0, as networkx divides by it
            raise ZeroDivisionError("float division by zero")
        return _sums(common, inverse_log)
    return _scored("adamic_adar_index", G, ebunch, score)


def preferential_attachment(G, ebunch=None):
    degree = nx_degree(G.lightest)
    return _scored("preferential_attachment", G, ebunch,
                   lambda u, v, common, shared: (degree[u] * degree[v]).tolist())

