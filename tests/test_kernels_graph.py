"""The hand-written graph kernels against networkx and scipy.sparse.csgraph.

Connected components (Afforest, FastSV), direction-optimizing BFS,
delta-stepping and frontier Bellman-Ford SSSP, and ordered triangle counting,
on small graphs of several families.

Every CSR index array here is a writable, C-contiguous int32 array, so each
kernel compiles once (a read-only array, as ``groggy_jit.Graph`` hands out,
would be a second Numba signature).

The kernels run graphs this small on one thread; tests that take the
``parallel`` fixture lower that limit to zero, so the parallel loops (and
their races, where the kernels tolerate some) run too.
"""

import doctest
import sys
from pathlib import Path

import networkx as nx
import numba
import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:  # ``kernels`` lives at the repository root
    sys.path.insert(0, _ROOT)

import groggy_jit  # noqa: E402
from groggy_jit.graph.generators import kronecker_edges  # noqa: E402
from kernels import bfs as bfs_mod  # noqa: E402
from kernels import components, sssp, triangles  # noqa: E402
from kernels.bfs import bfs  # noqa: E402
from kernels.components import afforest, shiloach_vishkin  # noqa: E402
from kernels.sssp import bellman_ford_frontier, delta_stepping  # noqa: E402
from kernels.triangles import triangle_count, triangles_per_node  # noqa: E402

I32 = np.int32


# ----------------------------------------------------------------- graphs
def _random_undirected():
    return nx.gnm_random_graph(300, 900, seed=1)


def _disconnected():
    """Several components of different shapes plus isolated nodes, with the
    node numbers shuffled so components interleave."""
    parts = [
        nx.gnm_random_graph(60, 150, seed=2),
        nx.path_graph(25),
        nx.cycle_graph(12),
        nx.star_graph(9),
        nx.complete_graph(6),
        nx.empty_graph(15),  # isolated nodes
    ]
    G = nx.disjoint_union_all(parts)
    perm = np.random.default_rng(3).permutation(G.number_of_nodes())
    H = nx.relabel_nodes(G, {u: int(perm[u]) for u in G})
    out = nx.Graph()
    out.add_nodes_from(range(H.number_of_nodes()))
    out.add_edges_from(H.edges())
    return out


def _power_law():
    return nx.barabasi_albert_graph(400, 4, seed=4)


def _path():
    return nx.path_graph(120)


def _star():
    return nx.star_graph(80)


def _complete():
    return nx.complete_graph(24)


def _self_loops():
    G = nx.gnm_random_graph(150, 600, seed=5)
    G.add_edges_from((u, u) for u in range(0, 150, 7))
    return G


def _kronecker():
    """GAP-style Kronecker graph, symmetrised by ``groggy_jit.Graph``."""
    src, dst, n = kronecker_edges(scale=8, seed=6)
    g = groggy_jit.Graph.from_edges(src, dst, num_nodes=n, directed=False)
    assert g.out_indptr.dtype == I32 and not g.out_indptr.flags.writeable
    G = nx.Graph()
    G.add_nodes_from(range(n))
    rows = np.repeat(np.arange(n), np.diff(g.out_indptr))
    G.add_edges_from(zip(rows.tolist(), g.out_indices.tolist()))
    # writable copies: one Numba signature for every test
    return G, (np.array(g.out_indptr), np.array(g.out_indices))


UNDIRECTED = {
    "random": _random_undirected,
    "disconnected": _disconnected,
    "power_law": _power_law,
    "path": _path,
    "star": _star,
    "complete": _complete,
    "self_loops": _self_loops,
    "kronecker": _kronecker,
}


def _csr(G):
    """int32 CSR (indptr, indices) of a networkx graph on nodes 0..n-1."""
    n = G.number_of_nodes()
    A = nx.to_scipy_sparse_array(G, nodelist=range(n), format="csr", weight=None)
    return A.indptr.astype(I32), A.indices.astype(I32)


def _build(name):
    made = UNDIRECTED[name]()
    if isinstance(made, tuple):
        return made
    return made, _csr(made)


@pytest.fixture(scope="module", params=sorted(UNDIRECTED))
def undirected(request):
    return _build(request.param)


def _min_labels(G):
    labels = np.empty(G.number_of_nodes(), dtype=np.int64)
    for comp in nx.connected_components(G):
        labels[list(comp)] = min(comp)
    return labels


@pytest.fixture
def parallel(monkeypatch):
    """Run every kernel on all threads, however small the graph."""
    for module in (components, bfs_mod, sssp, triangles):
        monkeypatch.setattr(module, "SMALL_GRAPH", 0)


def _with_threads(k, fn):
    saved = numba.get_num_threads()
    try:
        numba.set_num_threads(k)
        return fn()
    finally:
        numba.set_num_threads(saved)


# ---------------------------------------------------- connected components
def _check_components(G, indptr, indices):
    expected = _min_labels(G)
    for fn in (afforest, shiloach_vishkin):
        labels = fn(indptr, indices)
        assert labels.dtype == np.int64
        np.testing.assert_array_equal(labels, expected, err_msg=fn.__name__)


def test_components_match_networkx(undirected):
    G, (indptr, indices) = undirected
    _check_components(G, indptr, indices)


def test_components_parallel(undirected, parallel):
    G, (indptr, indices) = undirected
    _check_components(G, indptr, indices)


def test_components_match_scipy_partition(undirected):
    _, (indptr, indices) = undirected
    n = indptr.shape[0] - 1
    A = sp.csr_array((np.ones(indices.shape[0]), indices, indptr), shape=(n, n))
    k, lab = csgraph.connected_components(A, directed=False)
    labels = afforest(indptr, indices)
    assert len(np.unique(labels)) == k
    # the same partition: labels determine scipy's and vice versa
    pairs = np.unique(np.stack([labels, lab]), axis=1)
    assert pairs.shape[1] == k


@pytest.mark.parametrize("rounds", [0, 1, 5])
def test_afforest_sampling_settings(rounds):
    G, (indptr, indices) = _build("disconnected")
    expected = _min_labels(G)
    np.testing.assert_array_equal(afforest(indptr, indices, neighbor_rounds=rounds), expected)
    np.testing.assert_array_equal(afforest(indptr, indices, rounds, num_samples=1), expected)


def test_components_same_with_one_thread(parallel):
    _, (indptr, indices) = _build("kronecker")
    for fn in (afforest, shiloach_vishkin):
        serial = _with_threads(1, lambda: fn(indptr, indices))
        np.testing.assert_array_equal(fn(indptr, indices), serial)


def test_trivial_graphs():
    empty = (np.zeros(1, dtype=I32), np.zeros(0, dtype=I32))
    edgeless = (np.zeros(4, dtype=I32), np.zeros(0, dtype=I32))
    for fn in (afforest, shiloach_vishkin):
        assert fn(*empty).shape == (0,)
        assert fn(*edgeless).tolist() == [0, 1, 2]
    assert triangle_count(*empty) == 0 and triangles_per_node(*empty).shape == (0,)
    assert triangle_count(*edgeless) == 0 and triangles_per_node(*edgeless).tolist() == [0, 0, 0]
    depth, parent = bfs(*edgeless, *edgeless, 1)
    assert depth.tolist() == [-1, 0, -1] and parent.tolist() == [-1, 1, -1]
    no_weights = np.zeros(0)
    assert delta_stepping(*edgeless, no_weights, 2, 1.0).tolist() == [np.inf, np.inf, 0.0]
    assert bellman_ford_frontier(*edgeless, no_weights, 0).tolist() == [0.0, np.inf, np.inf]


# ---------------------------------------------------------------------- BFS
BFS_MODES = {
    "gap": {},
    "top_down_only": {"alpha": 1e-12},
    "bottom_up_only": {"alpha": 1e12, "beta": 1e12},
    "parallel_top_down": {"serial_arcs": 0},
    "parallel_top_down_only": {"alpha": 1e-12, "serial_arcs": 0},
}


def _check_bfs(G, out_csr, in_csr, source, depth, parent):
    n = G.number_of_nodes()
    expected = np.full(n, -1, dtype=np.int64)
    for v, d in nx.single_source_shortest_path_length(G, source).items():
        expected[v] = d
    np.testing.assert_array_equal(depth, expected)
    assert parent.dtype == np.int64 and depth.dtype == np.int64
    assert parent[source] == source
    reached = depth >= 0
    assert np.all(parent[~reached] == -1)
    # every other reached node has a parent one level up, joined by an arc
    v = np.flatnonzero(reached)
    v = v[v != source]
    p = parent[v]
    assert np.all(p >= 0) and np.all(depth[p] == depth[v] - 1)
    indptr, indices = out_csr
    for vv, pp in zip(v.tolist(), p.tolist()):
        assert vv in indices[indptr[pp] : indptr[pp + 1]]


def _check_bfs_sources(G, csr, mode):
    n = G.number_of_nodes()
    degree = np.diff(csr[0])
    sources = {0, n - 1, int(np.argmax(degree))}
    if (degree == 0).any():
        sources.add(int(np.argmin(degree)))  # an isolated node
    for s in sorted(sources):
        depth, parent = bfs(*csr, *csr, s, **BFS_MODES[mode])
        _check_bfs(G, csr, csr, s, depth, parent)


@pytest.mark.parametrize("mode", sorted(BFS_MODES))
def test_bfs_matches_networkx(undirected, mode):
    G, csr = undirected
    _check_bfs_sources(G, csr, mode)


@pytest.mark.parametrize("mode", ["gap", "parallel_top_down", "parallel_top_down_only"])
def test_bfs_parallel(undirected, mode, parallel):
    G, csr = undirected
    _check_bfs_sources(G, csr, mode)


@pytest.mark.parametrize("mode", sorted(BFS_MODES))
def test_bfs_directed(mode, parallel):
    G = nx.gnm_random_graph(400, 1200, seed=7, directed=True)
    out_csr = _csr(G)
    in_csr = _csr(G.reverse(copy=True))
    for s in (0, 17, 399):
        depth, parent = bfs(*out_csr, *in_csr, s, **BFS_MODES[mode])
        _check_bfs(G, out_csr, in_csr, s, depth, parent)


def test_bfs_parents_deterministic(parallel):
    # the serial and the parallel top-down step pick the same parents, and the
    # thread count changes nothing
    _, csr = _build("kronecker")
    s = int(np.argmax(np.diff(csr[0])))
    for mode in ({}, {"alpha": 1e-12}):
        a = bfs(*csr, *csr, s, **mode)
        b = bfs(*csr, *csr, s, serial_arcs=0, **mode)
        c = _with_threads(1, lambda: bfs(*csr, *csr, s, serial_arcs=0, **mode))
        for x, y in ((a, b), (a, c)):
            np.testing.assert_array_equal(x[0], y[0])
            np.testing.assert_array_equal(x[1], y[1])


def test_bfs_matches_scipy_order():
    G, csr = _build("kronecker")
    n = G.number_of_nodes()
    A = sp.csr_array((np.ones(csr[1].shape[0]), csr[1], csr[0]), shape=(n, n))
    s = int(np.argmax(np.diff(csr[0])))
    order = csgraph.breadth_first_order(A, s, directed=True, return_predecessors=False)
    depth, _ = bfs(*csr, *csr, s)
    assert set(order.tolist()) == set(np.flatnonzero(depth >= 0).tolist())


def test_bfs_rejects_bad_source():
    _, csr = _build("path")
    with pytest.raises(ValueError, match="out of range"):
        bfs(*csr, *csr, 120)
    with pytest.raises(ValueError, match="out of range"):
        bfs(*csr, *csr, -1)
    with pytest.raises(ValueError, match="integer"):
        bfs(*csr, *csr, 1.5)


# --------------------------------------------------------------------- SSSP
def _weighted(G, seed, directed):
    """int32 CSR with integer weights 1..255 (float64), and the scipy matrix."""
    n = G.number_of_nodes()
    rng = np.random.default_rng(seed)
    edges = np.array([(u, v) for u, v in G.edges() if u != v], dtype=np.int64).reshape(-1, 2)
    w = rng.integers(1, 256, size=edges.shape[0]).astype(np.float64)
    src, dst = edges[:, 0], edges[:, 1]
    if not directed:
        src, dst, w = np.concatenate([src, dst]), np.concatenate([dst, src]), np.concatenate([w, w])
    A = sp.csr_array((w, (src, dst)), shape=(n, n))
    A.sum_duplicates()
    A.sort_indices()
    return (A.indptr.astype(I32), A.indices.astype(I32), A.data.astype(np.float64)), A


SSSP_GRAPHS = {
    "random": lambda: (_random_undirected(), False),
    "random_directed": lambda: (nx.gnm_random_graph(300, 1500, seed=8, directed=True), True),
    "disconnected": lambda: (_disconnected(), False),
    "power_law": lambda: (_power_law(), False),
    "path": lambda: (_path(), False),
    "kronecker": lambda: (_kronecker()[0], False),
}


@pytest.fixture(scope="module", params=sorted(SSSP_GRAPHS))
def weighted(request):
    G, directed = SSSP_GRAPHS[request.param]()
    return _weighted(G, seed=9, directed=directed)


@pytest.mark.parametrize("delta", [1.0, 16.0, 200.0, np.inf])
def test_delta_stepping_matches_dijkstra(weighted, delta):
    (indptr, indices, w), A = weighted
    n = indptr.shape[0] - 1
    for s in (0, n // 2):
        expected = csgraph.dijkstra(A, directed=True, indices=s)
        dist = delta_stepping(indptr, indices, w, s, delta)
        assert dist.dtype == np.float64
        np.testing.assert_array_equal(dist, expected)


def test_bellman_ford_matches_dijkstra(weighted):
    (indptr, indices, w), A = weighted
    n = indptr.shape[0] - 1
    for s in (0, n - 1):
        expected = csgraph.dijkstra(A, directed=True, indices=s)
        np.testing.assert_array_equal(bellman_ford_frontier(indptr, indices, w, s), expected)
        np.testing.assert_array_equal(
            bellman_ford_frontier(indptr, indices, w, s, serial_arcs=0), expected
        )


def test_sssp_parallel(weighted, parallel):
    (indptr, indices, w), A = weighted
    expected = csgraph.dijkstra(A, directed=True, indices=0)
    for delta in (4.0, np.inf):
        got = delta_stepping(indptr, indices, w, 0, delta, serial_arcs=0)
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(bellman_ford_frontier(indptr, indices, w, 0, serial_arcs=0), expected)


def test_sssp_parallel_rounds_and_one_thread(parallel):
    (indptr, indices, w), A = _weighted(_kronecker()[0], seed=10, directed=False)
    expected = csgraph.dijkstra(A, directed=True, indices=3)
    got = delta_stepping(indptr, indices, w, 3, 8.0, serial_arcs=0)
    np.testing.assert_array_equal(got, expected)
    got = _with_threads(1, lambda: delta_stepping(indptr, indices, w, 3, 8.0, serial_arcs=0))
    np.testing.assert_array_equal(got, expected)


def test_sssp_real_weights_and_zero_weights():
    # real weights, some zero: still exact, because every algorithm ends at
    # the smallest over all paths of the path's weights summed in path order
    G = nx.gnm_random_graph(200, 800, seed=11)
    (indptr, indices, _), A = _weighted(G, seed=12, directed=False)
    w = np.random.default_rng(13).random(indices.shape[0]) * 3.0
    w[::17] = 0.0
    A = sp.csr_array((w, indices, indptr), shape=A.shape)  # explicit zeros are arcs
    for s in (0, 100):
        expected = csgraph.dijkstra(A, directed=True, indices=s)
        np.testing.assert_array_equal(bellman_ford_frontier(indptr, indices, w, s), expected)
        for delta in (0.5, 2.0):
            np.testing.assert_array_equal(delta_stepping(indptr, indices, w, s, delta), expected)


def test_sssp_rejects_bad_input():
    (indptr, indices, w), _ = _weighted(_path(), seed=14, directed=False)
    bad = w.copy()
    bad[5] = -1.0
    for fn in (
        lambda ww, s=0: delta_stepping(indptr, indices, ww, s, 4.0),
        lambda ww, s=0: bellman_ford_frontier(indptr, indices, ww, s),
    ):
        with pytest.raises(ValueError, match="negative weight"):
            fn(bad)
        nan = w.copy()
        nan[3] = np.nan
        with pytest.raises(ValueError, match="NaN"):
            fn(nan)
        with pytest.raises(ValueError, match="out of range"):
            fn(w, 10_000)
        with pytest.raises(ValueError, match="weights"):
            fn(w[:3])
    with pytest.raises(ValueError, match="delta"):
        delta_stepping(indptr, indices, w, 0, 0.0)


# ---------------------------------------------------------------- triangles
def _check_triangles(G, indptr, indices, relabel):
    expected = nx.triangles(G)
    expected = np.array([expected[v] for v in range(G.number_of_nodes())], dtype=np.int64)
    per_node = triangles_per_node(indptr, indices, relabel=relabel)
    assert per_node.dtype == np.int64
    np.testing.assert_array_equal(per_node, expected)
    total = triangle_count(indptr, indices, relabel=relabel)
    assert isinstance(total, int) and total == expected.sum() // 3


@pytest.mark.parametrize("relabel", [None, True, False])
def test_triangles_match_networkx(undirected, relabel):
    G, (indptr, indices) = undirected
    _check_triangles(G, indptr, indices, relabel)


def test_triangles_parallel(undirected, parallel):
    G, (indptr, indices) = undirected
    _check_triangles(G, indptr, indices, None)


def test_triangles_unsorted_and_duplicate_entries():
    G = _power_law()
    indptr, indices = _csr(G)
    rng = np.random.default_rng(15)
    # shuffle every neighbour list and repeat the first entry of each
    rows = []
    for u in range(indptr.shape[0] - 1):
        nb = indices[indptr[u] : indptr[u + 1]].copy()
        rng.shuffle(nb)
        rows.append(np.concatenate([nb, nb[:1]]))
    indptr2 = np.zeros(len(rows) + 1, dtype=I32)
    indptr2[1:] = np.cumsum([len(r) for r in rows])
    indices2 = np.concatenate(rows).astype(I32)
    expected = sum(nx.triangles(G).values()) // 3
    for relabel in (True, False):
        assert triangle_count(indptr2, indices2, relabel=relabel) == expected


def test_triangles_same_with_one_thread(parallel):
    _, (indptr, indices) = _build("kronecker")
    per_node = triangles_per_node(indptr, indices)
    serial = _with_threads(1, lambda: triangles_per_node(indptr, indices))
    np.testing.assert_array_equal(per_node, serial)


def test_worth_relabelling():
    assert triangles.worth_relabelling(_csr(nx.barabasi_albert_graph(500, 12, seed=16))[0])
    assert not triangles.worth_relabelling(_csr(_complete())[0])  # all degrees equal
    assert not triangles.worth_relabelling(_csr(_path())[0])  # average degree < 10


# --------------------------------------------- random graphs, all kernels
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 40),
    edges=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39)), max_size=120),
    source=st.integers(0, 39),
)
def test_random_graphs_all_kernels(n, edges, source):
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from((u % n, v % n) for u, v in edges)
    source %= n
    indptr, indices = _csr(G)
    expected = _min_labels(G)
    np.testing.assert_array_equal(afforest(indptr, indices), expected)
    np.testing.assert_array_equal(shiloach_vishkin(indptr, indices), expected)
    depth, parent = bfs(indptr, indices, indptr, indices, source)
    _check_bfs(G, (indptr, indices), (indptr, indices), source, depth, parent)
    tri = nx.triangles(G)
    np.testing.assert_array_equal(
        triangles_per_node(indptr, indices), [tri[v] for v in range(n)]
    )
    w = (np.arange(indices.shape[0]) % 7 + 1).astype(np.float64)
    A = sp.csr_array((w, indices, indptr), shape=(n, n))
    np.testing.assert_array_equal(
        delta_stepping(indptr, indices, w, source, 3.0),
        csgraph.dijkstra(A, directed=True, indices=source),
    )


# ------------------------------------------------------------------ doctests
@pytest.mark.parametrize("module", [components, bfs_mod, sssp, triangles], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
