"""Tests of groggy_jit.graph: construction, validation and file reading."""

import gzip
import pickle

import networkx as nx
import numpy as np
import pytest
import scipy.io
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from groggy_jit.errors import GraphInputError
from groggy_jit.graph import Graph, as_graph, read_edgelist, read_matrix_market
from groggy_jit.graph.graph import _index_dtype

ARRAYS = (
    "out_indptr",
    "out_indices",
    "out_weights",
    "in_indptr",
    "in_indices",
    "in_weights",
    "out_degree",
    "in_degree",
)


# --------------------------------------------------------------- helpers
def dense_of(indptr, indices, weights, n):
    """Dense matrix of a CSR (ones when unweighted)."""
    M = np.zeros((n, n))
    for u in range(n):
        for k in range(indptr[u], indptr[u + 1]):
            M[u, indices[k]] = 1.0 if weights is None else weights[k]
    return M


def check_invariants(g):
    """Everything a kernel relies on."""
    n, nnz = g.num_nodes, g.num_edges
    idx = g.index_dtype
    assert idx == np.int32  # all test graphs are small
    for name in ("out_indptr", "out_indices", "in_indptr", "in_indices"):
        a = getattr(g, name)
        assert a.dtype == idx, name
        assert a.flags.c_contiguous and not a.flags.writeable, name
    for name in ("out_weights", "in_weights"):
        a = getattr(g, name)
        if g.weighted:
            assert a.dtype == np.float64 and a.flags.c_contiguous and not a.flags.writeable
            assert a.shape == (nnz,)
        else:
            assert a is None
    for name in ("out_degree", "in_degree"):
        a = getattr(g, name)
        assert a.dtype == np.int64 and a.shape == (n,) and not a.flags.writeable
    for ptr, ind in ((g.out_indptr, g.out_indices), (g.in_indptr, g.in_indices)):
        assert ptr.shape == (n + 1,) and ptr[0] == 0 and ptr[-1] == nnz
        assert np.all(np.diff(ptr) >= 0)
        assert ind.shape == (nnz,)
        if nnz:
            assert ind.min() >= 0 and ind.max() < n
        for u in range(n):
            row = ind[ptr[u] : ptr[u + 1]]
            assert np.all(np.diff(row) > 0), "neighbour lists sorted, no duplicates"
    np.testing.assert_array_equal(g.out_degree, np.diff(g.out_indptr))
    np.testing.assert_array_equal(g.in_degree, np.diff(g.in_indptr))
    out = dense_of(g.out_indptr, g.out_indices, g.out_weights, n)
    inn = dense_of(g.in_indptr, g.in_indices, g.in_weights, n)
    np.testing.assert_array_equal(inn, out.T)  # exact transpose
    np.testing.assert_array_equal(g.to_scipy().toarray(), out)
    if not g.directed:
        np.testing.assert_array_equal(out, out.T)  # bit-exact symmetry
    return out


def reference(src, dst, w, n, directed):
    """Dense weights and arc mask built the slow, obvious way."""
    W = np.zeros((n, n))
    present = np.zeros((n, n), dtype=bool)
    for k, (u, v) in enumerate(zip(src, dst)):
        x = 1.0 if w is None else w[k]
        pairs = [(u, v)] if directed or u == v else [(u, v), (v, u)]
        for a, b in pairs:
            W[a, b] += x
            present[a, b] = True
    return W, present


# ------------------------------------------------- from_edges (property)
@st.composite
def edge_arrays(draw):
    n = draw(st.integers(0, 7))
    m = draw(st.integers(0, 25)) if n else 0
    ids = st.lists(st.integers(0, n - 1), min_size=m, max_size=m) if n else st.just([])
    src = draw(ids)
    dst = draw(ids)
    weighted = draw(st.booleans())
    w = draw(st.lists(st.integers(-5, 5), min_size=m, max_size=m)) if weighted else None
    extra = draw(st.integers(0, 2))
    return np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64), w, n + extra


@settings(max_examples=60, deadline=None)
@given(edge_arrays(), st.booleans())
def test_from_edges_matches_reference(data, directed):
    src, dst, w, n = data
    wf = None if w is None else np.array(w, dtype=np.float64) / 4
    g = Graph.from_edges(src, dst, wf, num_nodes=n, directed=directed)
    assert g.num_nodes == n and g.directed == directed and g.weighted == (w is not None)
    out = check_invariants(g)
    W, present = reference(src, dst, wf, n, directed)
    assert g.num_edges == present.sum()
    if g.weighted:
        np.testing.assert_array_equal(out, W)
        # zero-sum duplicates are kept as arcs with weight 0
        assert ((out != 0) <= present).all()
    else:
        np.testing.assert_array_equal(out, present.astype(float))
    if not directed:
        assert g.in_indices is g.out_indices


@settings(max_examples=25, deadline=None)
@given(edge_arrays())
def test_undirected_float_weights_bit_symmetric(data):
    src, dst, _, n = data
    rng = np.random.default_rng(len(src))
    w = rng.random(len(src)) * 10.0 ** rng.integers(-8, 8, len(src))
    g = Graph.from_edges(src, dst, w, num_nodes=n, directed=False)
    out = check_invariants(g)
    np.testing.assert_array_equal(out, out.T)


def test_from_edges_duplicates_merged_or_summed():
    g = Graph.from_edges([0, 0, 0, 1], [1, 1, 1, 0])
    assert g.num_edges == 2 and not g.weighted
    np.testing.assert_array_equal(g.out_indices, [1, 0])
    gw = Graph.from_edges([0, 0, 0, 1], [1, 1, 1, 0], weights=[1.0, 2.0, 3.5, -1.0])
    np.testing.assert_array_equal(gw.out_weights, [6.5, -1.0])
    # undirected: (0, 1) and (1, 0) are the same edge listed twice
    gu = Graph.from_edges([0, 1], [1, 0], weights=[2.0, 3.0], directed=False)
    assert gu.num_edges == 2
    np.testing.assert_array_equal(gu.out_weights, [5.0, 5.0])


def test_undirected_both_ways_self_loop_once():
    g = Graph.from_edges([0, 1, 2], [1, 2, 2], directed=False)
    assert g.num_edges == 5  # 0-1 twice, 1-2 twice, 2-2 once
    np.testing.assert_array_equal(g.out_indptr, [0, 1, 3, 5])
    np.testing.assert_array_equal(g.out_indices, [1, 0, 2, 1, 2])
    np.testing.assert_array_equal(g.out_degree, [1, 2, 2])
    np.testing.assert_array_equal(g.in_degree, [1, 2, 2])


def test_directed_in_csr_and_degrees():
    g = Graph.from_edges([0, 0, 1, 3, 3], [1, 2, 2, 3, 0], num_nodes=5)
    np.testing.assert_array_equal(g.out_degree, [2, 1, 0, 2, 0])
    np.testing.assert_array_equal(g.in_degree, [1, 1, 2, 1, 0])
    np.testing.assert_array_equal(g.in_indptr, [0, 1, 2, 4, 5, 5])
    np.testing.assert_array_equal(g.in_indices, [3, 0, 0, 1, 3])
    check_invariants(g)


def test_float_ids_accepted_when_integral_and_int32_input():
    g = Graph.from_edges(np.array([0.0, 2.0]), np.array([1.0, 0.0]))
    np.testing.assert_array_equal(g.out_indices, [1, 0])
    g32 = Graph.from_edges(np.array([0, 2], np.int32), np.array([1, 0], np.uint8))
    np.testing.assert_array_equal(g32.out_indptr, g.out_indptr)


def test_negative_weights_allowed():
    g = Graph.from_edges([0], [1], weights=[-2.5])
    assert g.out_weights[0] == -2.5


# ------------------------------------------------------------ index dtype
def test_index_dtype_choice():
    assert _index_dtype(10, 10) == np.int32
    assert _index_dtype(2**31 - 2, 2**31 - 2) == np.int32
    assert _index_dtype(2**31 - 1, 5) == np.int64
    assert _index_dtype(5, 2**31) == np.int64
    assert Graph.from_edges([0], [1]).index_dtype == np.int32


# ------------------------------------------------------------ from_scipy
def test_from_scipy_symmetric_detection():
    S = np.array([[0, 1, 0], [1, 0, 2], [0, 2, 1]], dtype=float)
    g = Graph.from_scipy(sp.csr_array(S))
    assert not g.directed and g.weighted and g.num_edges == 5
    assert g.in_indices is g.out_indices
    np.testing.assert_array_equal(check_invariants(g), S)
    gd = Graph.from_scipy(S, directed=True)
    assert gd.directed and gd.num_edges == 5
    check_invariants(gd)
    A = np.array([[0, 1], [0, 0]])
    assert Graph.from_scipy(A).directed
    assert Graph.from_scipy(sp.coo_matrix(A)).directed
    # symmetric structure but different weights is not symmetric
    assert Graph.from_scipy(np.array([[0, 1.0], [2.0, 0]])).directed


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "lil", "dok", "dia", "bsr"])
def test_from_scipy_formats(fmt):
    rng = np.random.default_rng(1)
    D = (rng.random((6, 6)) < 0.4) * rng.integers(1, 5, (6, 6))
    M = sp.csr_matrix(D).asformat(fmt)
    g = Graph.from_scipy(M)
    np.testing.assert_array_equal(check_invariants(g), D)
    ga = Graph.from_scipy(sp.csr_array(D).asformat(fmt))
    np.testing.assert_array_equal(ga.out_indices, g.out_indices)


def test_from_scipy_weight_inference_and_zeros():
    assert not Graph.from_scipy(np.array([[0, 1], [1, 0]])).weighted
    assert not Graph.from_scipy(np.array([[False, True], [False, False]])).weighted
    # duplicates summed: 1 + 1 = 2 -> weighted
    dup = sp.coo_array((np.ones(2), (np.array([0, 0]), np.array([1, 1]))), shape=(2, 2))
    g = Graph.from_scipy(dup)
    assert g.weighted and g.num_edges == 1 and g.out_weights[0] == 2.0
    # explicit zeros, and duplicates summing to zero, are arcs of weight 0 (as in
    # scipy.sparse.csgraph and networkx); eliminate_zeros() drops them
    z = sp.coo_array(
        (np.array([0.0, 3.0, -3.0, 1.0]), (np.array([0, 1, 1, 2]), np.array([1, 0, 0, 0]))),
        shape=(3, 3),
    )
    g = Graph.from_scipy(z)
    assert g.num_edges == 3 and g.weighted
    np.testing.assert_array_equal(g.out_indptr, [0, 1, 2, 3])
    np.testing.assert_array_equal(g.out_weights, [0.0, 0.0, 1.0])
    nx_edges = nx.from_scipy_sparse_array(z.tocsr(), create_using=nx.DiGraph).number_of_edges()
    assert nx_edges == g.num_edges
    dropped = z.tocsr()
    dropped.eliminate_zeros()
    assert Graph.from_scipy(dropped).num_edges == 1
    g8 = Graph.from_scipy(np.array([[0, 3], [0, 0]], dtype=np.int8))
    assert g8.out_weights.dtype == np.float64


def test_from_scipy_does_not_mutate_or_share_input():
    A = sp.csr_array(
        (np.array([1.0, 2.0, 0.0]), np.array([1, 1, 0]), np.array([0, 2, 3])), shape=(2, 2)
    )
    before = (A.data.copy(), A.indices.copy(), A.indptr.copy())
    g = Graph.from_scipy(A)
    for x, y in zip(before, (A.data, A.indices, A.indptr)):
        np.testing.assert_array_equal(x, y)
    A.data[:] = 7
    assert g.out_weights[0] == 3.0


def test_isolated_nodes_and_empty_graphs():
    g = Graph.from_edges([0], [1], num_nodes=4)
    np.testing.assert_array_equal(g.out_degree, [1, 0, 0, 0])
    check_invariants(g)
    for e in (
        Graph.from_edges([], []),
        Graph.from_edges(np.array([], np.int64), np.array([], np.int64), directed=False),
        Graph.from_scipy(sp.csr_array((0, 0))),
        Graph.from_scipy(np.zeros((0, 0))),
        Graph.from_networkx(nx.Graph()),
        Graph.from_networkx(nx.DiGraph(), weight="weight"),
    ):
        assert e.num_nodes == 0 and e.num_edges == 0
        assert e.out_indptr.tolist() == [0] and e.in_indptr.tolist() == [0]
        assert e.to_scipy().shape == (0, 0)
    e = Graph.from_edges([], [], num_nodes=3, weights=[])
    assert e.num_nodes == 3 and e.weighted and e.num_edges == 0
    check_invariants(e)
    z = Graph.from_scipy(np.zeros((3, 3)))
    assert z.num_nodes == 3 and z.num_edges == 0


# ---------------------------------------------------------- networkx
def test_networkx_round_trip_labels_and_weights():
    G = nx.DiGraph()
    G.add_nodes_from(["c", "a", ("t", 1), 7])
    G.add_edge("a", "c", weight=2.5)
    G.add_edge(("t", 1), "a", weight=-1)
    G.add_edge(7, 7)  # no weight attribute -> 1.0
    g = Graph.from_networkx(G, weight="weight")
    assert g.directed and g.weighted and g.node_labels == ["c", "a", ("t", 1), 7]
    check_invariants(g)
    H = nx.from_scipy_sparse_array(g.to_scipy(), create_using=nx.DiGraph)
    H = nx.relabel_nodes(H, dict(enumerate(g.node_labels)))
    assert {(u, v, d["weight"]) for u, v, d in H.edges(data=True)} == {
        ("a", "c", 2.5),
        (("t", 1), "a", -1.0),
        (7, 7, 1.0),
    }
    gu = Graph.from_networkx(G)
    assert not gu.weighted and gu.num_edges == 3


def test_networkx_undirected_self_loop_once_and_node_order():
    G = nx.Graph()
    G.add_nodes_from([3, 1, 2])
    G.add_edge(3, 1)
    G.add_edge(2, 2)
    g = Graph.from_networkx(G)
    assert not g.directed and g.node_labels == [3, 1, 2]
    assert g.num_edges == 3
    np.testing.assert_array_equal(g.out_degree, [1, 1, 1])
    np.testing.assert_array_equal(g.out_indices, [1, 0, 2])
    np.testing.assert_array_equal(
        check_invariants(g), nx.to_scipy_sparse_array(G, nodelist=[3, 1, 2]).toarray()
    )


def test_networkx_multigraph_summing():
    M = nx.MultiGraph()
    M.add_edge("x", "y", weight=2.0)
    M.add_edge("y", "x", weight=5.0)
    M.add_edge("y", "y", weight=1.5)
    M.add_edge("y", "y", weight=1.5)
    g = Graph.from_networkx(M, weight="weight")
    expected = nx.to_scipy_sparse_array(M, weight="weight").toarray()
    np.testing.assert_array_equal(check_invariants(g), expected)
    counted = Graph.from_networkx(M)              # without weights, parallel edges count
    np.testing.assert_array_equal(check_invariants(counted),
                                  nx.to_scipy_sparse_array(M, weight=None).toarray())
    lightest = Graph.from_networkx(M, weight="weight", parallel="min")
    np.testing.assert_array_equal(lightest.out_weights, [2.0, 2.0, 1.5])
    merged = Graph.from_networkx(M, parallel="min")
    assert not merged.weighted and merged.num_edges == 3
    D = nx.MultiDiGraph([(0, 1), (0, 1), (1, 0)])
    gd = Graph.from_networkx(D, weight="weight")
    assert gd.directed
    np.testing.assert_array_equal(gd.out_weights, [2.0, 1.0])
    assert Graph.from_networkx(D, parallel="min").num_edges == 2
    with pytest.raises(GraphInputError, match="multigraph"):
        Graph.from_networkx(D, parallel=None)


def test_networkx_bad_weights():
    G = nx.Graph()
    G.add_edge("a", "b", weight="heavy")
    with pytest.raises(GraphInputError, match=r"'weight'.*'a' -> 'b'.*'heavy'"):
        Graph.from_networkx(G, weight="weight")
    G["a"]["b"]["weight"] = float("nan")
    # undirected: both arcs of the edge carry the NaN
    with pytest.raises(GraphInputError, match=r"2 non-finite.*nan at arc 'a' -> 'b'"):
        Graph.from_networkx(G, weight="weight")
    D = nx.DiGraph([(0, 1), (1, 2)])
    D[1][2]["w"] = float("-inf")
    with pytest.raises(GraphInputError, match=r"1 non-finite.*-inf at arc 1 -> 2"):
        Graph.from_networkx(D, weight="w")
    M = nx.MultiDiGraph([(0, 1), (0, 2), (0, 2), (2, 0)])
    M[0][2][1]["w"] = None
    with pytest.raises(GraphInputError, match=r"'w'.*arc 0 -> 2 has None"):
        Graph.from_networkx(M, weight="w")
    M[0][2][1]["w"] = 1 + 2j
    with pytest.raises(GraphInputError, match=r"arc 0 -> 2 has \(1\+2j\)"):
        Graph.from_networkx(M, weight="w")
    with pytest.raises(GraphInputError, match="expects a networkx graph"):
        Graph.from_networkx(np.eye(2))


# ---------------------------------------------------------- as_graph
def test_as_graph_dispatch():
    g = Graph.from_edges([0], [1])
    assert as_graph(g) is g
    assert as_graph(np.array([[0, 1], [1, 0]])).num_edges == 2
    assert as_graph(sp.csr_array(np.array([[0, 1], [0, 0]]))).directed
    G = nx.path_graph(3)
    nx.set_edge_attributes(G, 3.0, "w")
    assert as_graph(G, weight="w").weighted
    assert not as_graph(G).weighted
    assert Graph(G, weight="w").weighted
    assert Graph(np.array([[0, 1], [1, 0]]), directed=True).directed
    with pytest.raises(GraphInputError, match=r"builtins\.list.*scipy\.sparse.*networkx"):
        as_graph([[0, 1], [1, 0]])
    with pytest.raises(GraphInputError, match="builtins.str"):
        as_graph("edges.txt")


# ---------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "make, pattern",
    [
        (lambda: Graph.from_scipy(np.ones((2, 3))), r"square, got shape \(2, 3\)"),
        (lambda: Graph.from_scipy(sp.csr_array(np.ones((3, 2)))), r"square, got shape \(3, 2\)"),
        (lambda: Graph.from_scipy(np.ones(3)), r"2-D, got a 1-D array of shape \(3,\)"),
        (lambda: Graph.from_scipy(np.ones((2, 2, 2))), r"2-D, got a 3-D"),
        (lambda: Graph.from_scipy(sp.coo_array(np.ones(3))), r"2-D, got a 1-D sparse"),
        (lambda: Graph.from_scipy(np.array([[0, 1], [1, 0]], dtype=object)), "dtype object"),
        (lambda: Graph.from_scipy(np.array([["a", "b"], ["c", "d"]])), "dtype <U1"),
        (lambda: Graph.from_scipy(np.eye(2) * 1j), "dtype complex128"),
        (lambda: Graph.from_scipy(sp.csr_array(np.eye(2) * 1j)), "dtype complex128"),
        (lambda: Graph.from_scipy([[0, 1], [1, 0]]), "builtins.list"),
        (
            lambda: Graph.from_scipy(np.array([[0, np.nan, np.inf], [0, 0, 0], [np.nan, 0, 0]])),
            r"3 non-finite.*nan at arc \(0, 1\)",
        ),
        (
            lambda: Graph.from_scipy(sp.csr_array(np.array([[0, 0], [np.inf, 0]]))),
            r"1 non-finite.*inf at arc \(1, 0\)",
        ),
        (
            lambda: Graph.from_scipy(np.array([[0, 1], [0, 0]]), directed=False),
            r"not symmetric.*\(0, 1\) is 1\.0 but \(1, 0\) is 0\.0",
        ),
        (lambda: Graph.from_edges([0, -3], [1, 1]), r"src holds a negative node id -3 at index 1"),
        (lambda: Graph.from_edges([0, 1], [1, -1]), r"dst holds a negative node id -1"),
        (lambda: Graph.from_edges([0, 1, 2], [1, 1]), r"same length, got 3 and 2"),
        (
            lambda: Graph.from_edges([0, 1], [1, 4], num_nodes=3),
            r"dst holds node id 4 at index 1, but num_nodes=3",
        ),
        (lambda: Graph.from_edges([0], [1], num_nodes=-1), r"non-negative integer, got -1"),
        (lambda: Graph.from_edges([0, 1], [1, 0], weights=[1.0]), r"weights has length 1.*2 edges"),
        (
            lambda: Graph.from_edges([0, 1, 1], [1, 0, 2], weights=[1.0, np.nan, np.inf]),
            r"2 non-finite.*nan at index 1 \(edge 1 -> 0\)",
        ),
        (lambda: Graph.from_edges([0], [1], weights=["x"]), "weights has dtype <U1"),
        (lambda: Graph.from_edges([0.5], [1]), r"not an integer node id: 0\.5 at index 0"),
        (lambda: Graph.from_edges(["a"], ["b"]), "src has dtype <U1"),
        (lambda: Graph.from_edges([[0]], [[1]]), r"1-D array of node ids, got shape \(1, 1\)"),
        (lambda: Graph.from_edges([True], [False]), "src has dtype bool"),
    ],
)
def test_bad_input(make, pattern):
    with pytest.raises(GraphInputError, match=pattern):
        make()


def test_errors_are_value_errors():
    assert issubclass(GraphInputError, ValueError)


# ---------------------------------------------------------- immutability
def test_immutable_and_picklable():
    g = Graph.from_edges([0, 1], [1, 2], weights=[1.0, 2.0])
    with pytest.raises(AttributeError):
        g.num_nodes = 5
    for name in ARRAYS:
        with pytest.raises(ValueError):
            getattr(g, name)[0] = 0
    A = g.to_scipy()
    A.data[:] = 9
    assert g.out_weights[0] == 1.0
    shared = g.to_scipy(copy=False)
    assert np.shares_memory(shared.indices, g.out_indices)
    h = pickle.loads(pickle.dumps(g))
    assert h.fingerprint == g.fingerprint
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(h, name), getattr(g, name))
        assert not getattr(h, name).flags.writeable
    u = pickle.loads(pickle.dumps(Graph.from_edges([0], [1], directed=False)))
    assert u.in_indices is u.out_indices


def test_repr_and_fingerprint():
    g = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 4], directed=False)
    assert repr(g) == "Graph(n=5, arcs=8, undirected, unweighted, int32)"
    assert g.fingerprint == (5, 8, False, np.dtype(np.int32).str, False)
    gw = Graph.from_edges([0], [1], weights=[2.0])
    assert repr(gw) == "Graph(n=2, arcs=1, directed, weighted, int32)"


# ---------------------------------------------------------- label_map
def test_label_map():
    G = nx.Graph([("a", "b"), ("b", "c")])
    g = Graph.from_networkx(G)
    m = g.label_map(np.array([0.5, 1.5, 2.5]))
    assert m == {"a": 0.5, "b": 1.5, "c": 2.5}
    assert all(type(v) is float for v in m.values())
    mi = g.label_map(np.array([1, 2, 3], dtype=np.int64))
    assert all(type(v) is int for v in mi.values())
    with pytest.raises(GraphInputError, match=r"one value per node \(3\)"):
        g.label_map(np.zeros(2))
    x = np.array([1.0, 2.0, 3.0])
    for plain in (Graph.from_edges([0, 1], [1, 2]), Graph.from_networkx(nx.path_graph(3))):
        assert plain.node_labels is None and plain.label_map(x) is x
    shuffled = nx.Graph([(1, 0), (0, 2)])  # node order 1, 0, 2 -> labels kept
    assert Graph.from_networkx(shuffled).label_map(x) == {1: 1.0, 0: 2.0, 2: 3.0}


# ---------------------------------------------------------- files
def test_read_edgelist(tmp_path):
    p = tmp_path / "g.txt"
    p.write_text("# a comment\n0 1\n1\t2   # trailing comment\n\n2 0\n0 1\n")
    g = read_edgelist(p)
    assert g.directed and not g.weighted and g.num_nodes == 3 and g.num_edges == 3
    np.testing.assert_array_equal(g.out_indices, [1, 2, 0])
    gu = read_edgelist(str(p), directed=False, num_nodes=5)
    assert gu.num_nodes == 5 and gu.num_edges == 6

    pw = tmp_path / "w.txt"
    pw.write_text("0 1 0.5\n1 2 -2\n")
    gw = read_edgelist(pw)
    assert gw.weighted
    np.testing.assert_array_equal(gw.out_weights, [0.5, -2.0])
    assert not read_edgelist(pw, weighted=False).weighted

    pz = tmp_path / "w.txt.gz"
    with gzip.open(pz, "wt") as fh:
        fh.write("%% other comment style\n3 1 4\n")
    gz = read_edgelist(pz, comments="%")
    assert gz.num_nodes == 4 and gz.out_weights.tolist() == [4.0]

    pe = tmp_path / "empty.txt"
    pe.write_text("# nothing\n")
    e = read_edgelist(pe)
    assert e.num_nodes == 0 and e.num_edges == 0


def test_read_edgelist_errors(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_text("0 1\n1 x\n")
    with pytest.raises(GraphInputError, match=r"bad\.txt: cannot parse.*'x'"):
        read_edgelist(p)
    p.write_text("0 1\n")
    with pytest.raises(GraphInputError, match="no third"):
        read_edgelist(p, weighted=True)
    p.write_text("0 1 2 3\n")
    with pytest.raises(GraphInputError, match="4 columns; pass weighted=True"):
        read_edgelist(p)
    assert read_edgelist(p, weighted=True).out_weights.tolist() == [2.0]
    p.write_text("7\n")
    with pytest.raises(GraphInputError, match="line 1 has 1 column"):
        read_edgelist(p)
    p.write_text("0 1\n-1 2\n")
    with pytest.raises(GraphInputError, match=r"bad\.txt: src holds a negative node id -1"):
        read_edgelist(p)
    p.write_text("0 1 nan\n")
    with pytest.raises(GraphInputError, match="non-finite"):
        read_edgelist(p)
    with pytest.raises(FileNotFoundError):
        read_edgelist(tmp_path / "missing.txt")


def test_read_matrix_market(tmp_path):
    D = np.array([[0, 2.0, 0], [0, 0, 3.0], [1.0, 0, 0]])
    p = tmp_path / "d.mtx"
    scipy.io.mmwrite(p, sp.coo_array(D))
    g = read_matrix_market(p)
    assert g.directed and g.weighted
    np.testing.assert_array_equal(check_invariants(g), D)

    S = np.array([[0, 1, 1], [1, 0, 0], [1, 0, 1]])
    ps = tmp_path / "s.mtx"
    scipy.io.mmwrite(ps, sp.coo_array(S), field="pattern", symmetry="symmetric")
    gs = read_matrix_market(ps)
    assert not gs.directed and not gs.weighted and gs.num_edges == 5
    np.testing.assert_array_equal(check_invariants(gs), S)
    assert read_matrix_market(ps, directed=True).directed

    with pytest.raises(GraphInputError, match="not symmetric"):
        read_matrix_market(p, directed=False)
    pb = tmp_path / "bad.mtx"
    pb.write_text("this is not matrix market\n")
    with pytest.raises(GraphInputError, match=r"bad\.mtx: not a readable Matrix Market"):
        read_matrix_market(pb)
    with pytest.raises(FileNotFoundError):
        read_matrix_market(tmp_path / "missing.mtx")
