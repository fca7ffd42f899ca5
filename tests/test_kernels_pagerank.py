"""The hand-written PageRank kernels against networkx.

All CSR index arrays here are int32 so the Numba kernel compiles once.
"""

import sys
from pathlib import Path

import networkx as nx
import numba
import numpy as np
import pytest
import scipy.sparse as sp

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:  # ``kernels`` lives at the repository root
    sys.path.insert(0, _ROOT)

from groggy_jit.graph.generators import kronecker_edges  # noqa: E402
from kernels.pagerank import pagerank_pull, pagerank_scipy  # noqa: E402


def _csr_inputs(G):
    """(out-CSR, pull-kernel arguments) of a networkx graph on nodes 0..n-1."""
    n = G.number_of_nodes()
    assert list(G) == list(range(n))
    edges = np.array(list(G.edges()), dtype=np.int64).reshape(-1, 2)
    src, dst = edges[:, 0], edges[:, 1]
    if not G.is_directed():
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    A = sp.coo_array((np.ones(src.size), (src, dst)), shape=(n, n)).tocsr()
    A.data[:] = 1.0
    AT = A.T.tocsr()
    in_indptr = AT.indptr.astype(np.int32)
    in_indices = AT.indices.astype(np.int32)
    out_degree = np.diff(A.indptr).astype(np.int32)
    return A, (in_indptr, in_indices, out_degree)


def _nx_ranks(G, **kw):
    pr = nx.pagerank(G, weight=None, **kw)
    return np.array([pr[v] for v in range(G.number_of_nodes())])


def _nx_needs(G, alpha, tol, iterations):
    """Whether networkx needs exactly ``iterations`` iterations to converge."""

    def converges(k):
        try:
            nx.pagerank(G, alpha=alpha, tol=tol, max_iter=k, weight=None)
            return True
        except nx.PowerIterationFailedConvergence:
            return False

    return converges(iterations) and (iterations == 1 or not converges(iterations - 1))


def _directed_with_dangling():
    G = nx.gnp_random_graph(300, 0.02, directed=True, seed=11)
    for u in range(0, 300, 7):  # make every 7th node dangling
        G.remove_edges_from(list(G.out_edges(u)))
    return G


def _undirected():
    return nx.gnm_random_graph(400, 1600, seed=12)


def _with_isolated():
    G = nx.DiGraph()
    G.add_nodes_from(range(150))
    rng = np.random.default_rng(13)
    for u, v in rng.integers(0, 100, size=(500, 2)):
        if u != v:
            G.add_edge(int(u), int(v))  # nodes 100..149 stay isolated
    return G


def _kronecker():
    src, dst, n = kronecker_edges(8, edge_factor=8, seed=14)
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    G.add_edges_from(zip(src.tolist(), dst.tolist()))  # merges duplicates
    return G


GRAPHS = {
    "directed_dangling": _directed_with_dangling,
    "undirected": _undirected,
    "isolated_nodes": _with_isolated,
    "kronecker": _kronecker,
}


@pytest.fixture(scope="module", params=sorted(GRAPHS))
def graph(request):
    G = GRAPHS[request.param]()
    A, args = _csr_inputs(G)
    return G, A, args


@pytest.mark.parametrize("damping", [0.85, 0.6])
def test_matches_networkx(graph, damping):
    G, A, args = graph
    tol = 1e-10
    expected = _nx_ranks(G, alpha=damping, tol=tol, max_iter=500)

    ranks, it, conv = pagerank_pull(*args, damping, tol, 500)
    assert conv and _nx_needs(G, damping, tol, it)
    assert ranks.dtype == np.float64
    assert np.abs(ranks - expected).sum() < 1e-9

    ranks_sp, it_sp, conv_sp = pagerank_scipy(A, damping, tol, 500)
    assert conv_sp and it_sp == it
    assert np.abs(ranks_sp - expected).sum() < 1e-9
    assert abs(ranks.sum() - 1.0) < 1e-9


def test_not_converged(graph):
    G, A, args = graph
    with pytest.raises(nx.PowerIterationFailedConvergence):
        nx.pagerank(G, tol=1e-14, max_iter=2, weight=None)
    ranks, it, conv = pagerank_pull(*args, 0.85, 1e-14, 2)
    assert not conv and it == 2
    ranks_sp, it_sp, conv_sp = pagerank_scipy(A, 0.85, 1e-14, 2)
    assert not conv_sp and it_sp == 2
    assert np.abs(ranks - ranks_sp).max() < 1e-14


def test_gap_rule(graph):
    # GAP: stop when the L1 change is below 1e-4, at most 20 iterations
    G, A, args = graph
    n = G.number_of_nodes()
    ranks, it, conv = pagerank_pull(*args, 0.85, 1e-4 / n, 20)
    ranks_sp, it_sp, conv_sp = pagerank_scipy(A, 0.85, 1e-4 / n, 20)
    assert conv and conv_sp and it == it_sp <= 20
    assert np.abs(ranks - ranks_sp).max() < 1e-12


def test_bit_identical_across_runs_and_threads(graph):
    _, _, args = graph
    first, it1, _ = pagerank_pull(*args, 0.85, 1e-12, 100)
    again, it2, _ = pagerank_pull(*args, 0.85, 1e-12, 100)
    assert it1 == it2 and np.array_equal(first, again)
    saved = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        serial, it3, _ = pagerank_pull(*args, 0.85, 1e-12, 100)
    finally:
        numba.set_num_threads(saved)
    assert it3 == it1 and np.array_equal(first, serial)


def _empty_args(n, nnz=0):
    return (
        np.zeros(n + 1, dtype=np.int32),
        np.zeros(nnz, dtype=np.int32),
        np.zeros(n, dtype=np.int32),
    )


def test_empty_graph():
    ranks, it, conv = pagerank_pull(*_empty_args(0), 0.85, 1e-6, 100)
    assert ranks.shape == (0,) and it == 0 and conv
    ranks, it, conv = pagerank_scipy(sp.csr_array((0, 0)), 0.85, 1e-6, 100)
    assert ranks.shape == (0,) and it == 0 and conv


def test_edgeless_graph_is_uniform():
    G = nx.empty_graph(5, create_using=nx.DiGraph)
    expected = _nx_ranks(G)
    ranks, it, conv = pagerank_pull(*_empty_args(5), 0.85, 1e-6, 100)
    assert conv and it == 1 and _nx_needs(G, 0.85, 1e-6, 1)
    assert np.allclose(ranks, 0.2) and np.abs(ranks - expected).sum() < 1e-12


def test_zero_max_iter():
    _, args = _csr_inputs(_undirected())
    ranks, it, conv = pagerank_pull(*args, 0.85, 1e-6, 0)
    assert it == 0 and not conv and np.allclose(ranks, 1 / 400)


def test_scipy_ignores_values_and_duplicates():
    G = _directed_with_dangling()
    A, _ = _csr_inputs(G)
    expected = _nx_ranks(G, tol=1e-10)
    coo = A.tocoo()
    # same pattern, arbitrary values, one edge stored twice
    row = np.concatenate([coo.row, coo.row[:1]])
    col = np.concatenate([coo.col, coo.col[:1]])
    B = sp.csr_array((np.arange(1.0, row.size + 1), (row, col)), shape=A.shape)
    ranks, it, conv = pagerank_scipy(B, 0.85, 1e-10, 200)
    assert conv and np.abs(ranks - expected).sum() < 1e-9
