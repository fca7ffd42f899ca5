"""Small, deterministic graph families shared by the catalogue tests.

Every family has at most 300 nodes and fewer than 2**31 arcs, so all of them
run through the same int32 kernels: adding a family never compiles anything new.
Node orders are chosen on purpose: several families insert their nodes in a
shuffled order or use non-integer labels (strings, tuples) so that results
must be mapped back to the right node.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse as sp

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:  # ``kernels`` lives at the repository root, not in the package
    sys.path.insert(0, _ROOT)

__all__ = ["families", "family_ids", "node_index", "to_scipy", "to_edges"]


def _directed_with_dangling(n=200, p=0.02, seed=11):
    G = nx.gnp_random_graph(n, p, directed=True, seed=seed)
    for u in range(0, n, 9):                      # every 9th node has no out-links
        G.remove_edges_from(list(G.out_edges(u)))
    return G


def _shuffled_copy(G, seed, relabel=None):
    """``G`` with its nodes inserted in a shuffled order (and optionally relabelled)."""
    rng = random.Random(seed)
    order = list(G)
    rng.shuffle(order)
    relabel = relabel or (lambda v: v)
    H = G.__class__()
    H.add_nodes_from(relabel(v) for v in order)
    edges = list(G.edges())
    rng.shuffle(edges)
    H.add_edges_from((relabel(u), relabel(v)) for u, v in edges)
    return H


def _disconnected_with_isolated():
    """A path, a cycle, a clique, a star and 7 isolated nodes, ids permuted."""
    G = nx.disjoint_union_all([nx.path_graph(5), nx.cycle_graph(6), nx.complete_graph(4),
                               nx.star_graph(3), nx.empty_graph(7)])
    perm = np.random.default_rng(5).permutation(G.number_of_nodes())
    return _shuffled_copy(G, seed=6, relabel=lambda v: int(perm[v]))


def _self_loops_undirected():
    G = nx.gnp_random_graph(60, 0.08, seed=21)
    G.add_edges_from((v, v) for v in range(0, 60, 4))
    G.add_node(60)
    G.add_edge(60, 60)                            # a node whose only edge is a self loop
    return G


def _self_loops_directed():
    G = _directed_with_dangling(80, 0.05, seed=22)
    G.add_edges_from((v, v) for v in range(0, 80, 5))   # includes dangling-but-for-a-loop nodes
    return G


def _single_node():
    G = nx.Graph()
    G.add_node(0)
    return G


def families() -> list[tuple[str, nx.Graph]]:
    """``(id, graph)`` pairs: fresh graphs on each call (tests may not mutate shared ones)."""
    return [
        ("directed_dangling", _directed_with_dangling()),
        ("directed_sparse_weak", nx.gnp_random_graph(120, 0.008, directed=True, seed=3)),
        ("undirected_gnp", nx.gnp_random_graph(150, 0.04, seed=7)),
        ("disconnected_isolated", _disconnected_with_isolated()),
        ("scale_free_ba", nx.barabasi_albert_graph(300, 3, seed=13)),
        # scale_free_graph is a MultiDiGraph; collapse parallel arcs (networkx counts
        # them with multiplicity, Graph merges them) but keep its self loops
        ("scale_free_directed", nx.DiGraph(nx.scale_free_graph(200, seed=3))),
        ("self_loops_undirected", _self_loops_undirected()),
        ("self_loops_directed", _self_loops_directed()),
        ("path", nx.path_graph(50)),
        ("directed_path", nx.path_graph(20, create_using=nx.DiGraph)),
        ("star", nx.star_graph(30)),
        ("single_node", _single_node()),
        ("empty", nx.Graph()),
        ("karate", nx.karate_club_graph()),
        ("karate_strings", _shuffled_copy(nx.karate_club_graph(), seed=8,
                                          relabel=lambda v: f"member-{v}")),
        ("directed_strings", _shuffled_copy(_directed_with_dangling(90, 0.04, seed=9), seed=10,
                                            relabel=lambda v: f"v{v:03d}")),
        ("grid_tuples", nx.grid_2d_graph(6, 7)),
    ]


def family_ids() -> list[str]:
    return [name for name, _ in families()]


def node_index(G) -> dict:
    """Position of every node of ``G`` in ``list(G)`` (the order results are aligned to)."""
    return {v: i for i, v in enumerate(G)}


def to_scipy(G) -> sp.csr_array:
    """Unweighted out-adjacency of ``G`` in ``list(G)`` order (also for 0 nodes)."""
    n = G.number_of_nodes()
    if n == 0:
        return sp.csr_array((0, 0), dtype=np.float64)
    return sp.csr_array(nx.to_scipy_sparse_array(G, nodelist=list(G), weight=None, dtype=float))


def to_edges(G) -> tuple[np.ndarray, np.ndarray]:
    """Edge endpoint index arrays of ``G`` (each undirected edge once)."""
    index = node_index(G)
    pairs = np.array([(index[u], index[v]) for u, v in G.edges()], dtype=np.int64).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]
