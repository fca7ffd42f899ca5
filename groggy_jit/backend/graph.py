"""The backend's graph type and its conversion from and to networkx graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np

from ..graph import Graph

__all__ = ["BackendGraph", "convert_from_nx", "convert_to_nx"]


class BackendGraph:
    """A networkx graph as groggy-jit reads it: CSR adjacency in ``list(G)`` node order.

    ``weight`` is the edge attribute the weights were read from (None:
    unweighted); ``source`` is the networkx graph itself, whose attributes a
    function returning one of its subgraphs copies. A multigraph keeps two adjacencies, since networkx combines
    parallel edges in two ways: summed (``counted``: degree, PageRank; without
    weights, each parallel edge counts 1) and the lightest (``lightest``:
    shortest paths; without weights, merged).
    """

    __networkx_backend__ = "groggy_jit"

    def __init__(self, counted: Graph, lightest: Graph, *, directed: bool, multigraph: bool,
                 weight: str | None, nodes: list, source=None):
        self.counted = counted
        self.lightest = lightest
        self.directed = directed
        self.multigraph = multigraph
        self.weight = weight
        self.nodes = nodes
        self.source = source
        self.__networkx_cache__ = {}

    # the few networkx graph methods networkx's decorators call on backend graphs
    def is_directed(self) -> bool:
        return self.directed

    def is_multigraph(self) -> bool:
        return self.multigraph

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self):
        return iter(self.nodes)

    def __contains__(self, node) -> bool:
        try:
            return node in self.positions
        except TypeError:                      # unhashable: not a node, as in networkx
            return False

    @property
    def positions(self) -> dict:
        """``{node: index}``, made on first use."""
        if "_positions" not in self.__dict__:
            self._positions = {node: i for i, node in enumerate(self.nodes)}
        return self._positions

    def adjacency_order(self, reverse: bool = False, sort_neighbors=None):
        """(indptr, indices) of the successors (predecessors: ``reverse``) of every node in
        the order networkx iterates them, or as ``sort_neighbors`` orders each list."""
        key = ("_order", reverse)
        if sort_neighbors is None and key in self.__dict__:
            return self.__dict__[key]
        adjacency = self.source._pred if reverse else self.source._adj
        rows = [adjacency[u] for u in self.nodes]
        if sort_neighbors is not None:
            rows = [list(sort_neighbors(iter(row))) for row in rows]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(row) for row in rows], out=indptr[1:])
        position = self.positions
        indices = np.fromiter((position[v] for row in rows for v in row), np.int64,
                              int(indptr[-1]))
        if sort_neighbors is None:                   # made once; a given order every call
            self.__dict__[key] = indptr, indices
        return indptr, indices

    def graph_for(self, parallel: str | None) -> Graph:
        """The adjacency an algorithm reads: parallel edges ``"sum"`` or ``"min"``."""
        return self.counted if parallel == "sum" else self.lightest

    def __repr__(self) -> str:
        kind = ("Multi" if self.multigraph else "") + ("DiGraph" if self.directed else "Graph")
        return (f"<groggy_jit {kind}: {len(self.nodes)} nodes, {self.lightest.num_edges} arcs, "
                f"weight={self.weight!r}>")


def _weight_attribute(edge_attrs, preserve_edge_attrs) -> str | None:
    """The one edge attribute networkx asks for; "weight" when it asks for them all."""
    if edge_attrs:
        return next(iter(edge_attrs))
    return "weight" if preserve_edge_attrs is True else None


def convert_from_nx(G, edge_attrs=None, node_attrs=None, preserve_edge_attrs=False,
                    preserve_node_attrs=False, preserve_graph_attrs=False, name=None,
                    graph_name=None) -> BackendGraph:
    """A networkx graph as a :class:`BackendGraph` (networkx calls this, and caches it).

    Only one edge attribute is read, as the weight; an edge without it weighs
    the default networkx gives (1 for every function dispatched here).
    """
    if isinstance(G, BackendGraph):
        return G
    weight = _weight_attribute(edge_attrs, preserve_edge_attrs)
    counted = Graph.from_networkx(G, weight=weight, parallel="sum")
    multigraph = G.is_multigraph()
    lightest = Graph.from_networkx(G, weight=weight, parallel="min") if multigraph else counted
    return BackendGraph(counted, lightest, directed=G.is_directed(), multigraph=multigraph,
                        weight=weight, nodes=list(G), source=G)


def convert_to_nx(obj, *, name=None):
    """Results are networkx's types already; a :class:`BackendGraph` becomes a networkx graph."""
    if not isinstance(obj, BackendGraph):
        return obj
    kind = {(False, False): nx.Graph, (True, False): nx.DiGraph,
            (False, True): nx.MultiGraph, (True, True): nx.MultiDiGraph}
    H = kind[obj.directed, obj.multigraph]()
    H.add_nodes_from(obj.nodes)
    g = obj.lightest
    sources = np.repeat(np.arange(g.num_nodes), np.diff(g.out_indptr)).tolist()
    targets = g.out_indices.tolist()
    nodes = obj.nodes
    pairs = ((nodes[u], nodes[v]) for u, v in zip(sources, targets))
    if obj.weight is None or g.out_weights is None:
        H.add_edges_from(pairs)
    else:
        H.add_weighted_edges_from(((u, v, w) for (u, v), w in
                                   zip(pairs, g.out_weights.tolist())), weight=obj.weight)
    return H
