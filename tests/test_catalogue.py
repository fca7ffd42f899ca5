"""The catalogue against networkx, the reference interpreter and hand-written kernels.

Every algorithm runs on every graph family of ``tests/graphs.py``; all of them use
int32 indices, so each algorithm compiles one kernel for the whole module.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import groggy_jit as gj
from graphs import families, node_index, to_edges, to_scipy

try:
    from kernels.pagerank import pagerank_pull
except ImportError as e:                     # pragma: no cover - depends on the checkout
    pagerank_pull = None
    _PULL_MISSING = f"kernels.pagerank.pagerank_pull is not importable: {e}"
else:
    _PULL_MISSING = ""

FAMILIES = families()
NONEMPTY = [(name, G) for name, G in FAMILIES if G.number_of_nodes() > 0]


def _params(cases):
    return pytest.mark.parametrize("G", [G for _, G in cases], ids=[name for name, _ in cases])


all_families = _params(FAMILIES)
nonempty_families = _params(NONEMPTY)
ALGORITHMS = [gj.pagerank, gj.degree_centrality, gj.label_propagation, gj.connected_components]


# --- helpers --------------------------------------------------------------------------------

def as_array(G, labelled: dict) -> np.ndarray:
    """A ``{node: value}`` dict as an array in ``list(G)`` order."""
    assert list(labelled) == list(G)
    return np.array([labelled[v] for v in G])


def nx_pagerank(G, **kw) -> np.ndarray:
    return as_array(G, nx.pagerank(G, **kw)) if len(G) else np.zeros(0)          # weighted, as ours


def nx_iterations(G, alpha=0.85, tol=1e-6, limit=1000) -> int:
    """The number of iterations networkx's pagerank runs (it raises when that exceeds max_iter)."""
    def ok(k):
        try:
            nx.pagerank(G, alpha=alpha, tol=tol, max_iter=k)
            return True
        except nx.PowerIterationFailedConvergence:
            return False
    lo, hi = 1, limit                                  # smallest k with ok(k)
    assert ok(hi)
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid + 1, hi)
    return lo


def nx_components(G) -> list[set]:
    comps = nx.weakly_connected_components(G) if G.is_directed() else nx.connected_components(G)
    return [set(c) for c in comps]


def partition(G, labels: np.ndarray) -> set[frozenset]:
    groups: dict[int, set] = {}
    for v, label in zip(G, labels.tolist()):
        groups.setdefault(label, set()).add(v)
    return {frozenset(g) for g in groups.values()}


def label_propagation_reference(G, max_iter=20) -> np.ndarray:
    """Synchronous label propagation exactly as specified, in plain Python.

    Labels start as node indices (positions in ``list(G)``). Each round every node
    takes the most common label among its in-neighbours (all neighbours when
    undirected) from the previous round; ties go to the smallest label, a node
    without neighbours keeps its label. A self loop makes a node its own neighbour
    once.
    """
    index = node_index(G)
    near = G.predecessors if G.is_directed() else G.neighbors
    neighbours = [[index[u] for u in near(v)] for v in G]
    labels = list(range(len(index)))
    for _ in range(max_iter):
        new = labels[:]
        for v, ns in enumerate(neighbours):
            if ns:
                counts = Counter(labels[u] for u in ns)
                best = max(counts.values())
                new[v] = min(label for label, c in counts.items() if c == best)
        labels = new
    return np.array(labels, dtype=np.int64)


def without_edge_data(G):
    """A copy of ``G`` with the same nodes (in order) and edges but no edge attributes."""
    H = G.__class__()
    H.add_nodes_from(G)
    H.add_edges_from(G.edges())
    return H


def input_forms(G, algorithm):
    """The same graph as a networkx graph's ``Graph``, a scipy matrix, and edge arrays."""
    A = to_scipy(G)
    src, dst = to_edges(G)
    directed = G.is_directed()
    # A scipy matrix is read as undirected when it is symmetric; degree centrality
    # (in + out degree when directed) is the one algorithm where that matters.
    matrix = gj.Graph.from_scipy(A, directed=True) if (
        directed and algorithm is gj.degree_centrality) else A
    return {
        "Graph.from_networkx": gj.Graph.from_networkx(G),
        "scipy": matrix,
        "Graph.from_scipy": gj.Graph.from_scipy(A, directed=directed),
        "Graph.from_edges": gj.Graph.from_edges(src, dst, num_nodes=len(G), directed=directed),
    }


# --- PageRank -------------------------------------------------------------------------------

@all_families
@pytest.mark.parametrize("damping, tol, max_iter", [(0.85, 1e-6, 100), (0.9, 1e-10, 1000)],
                         ids=["default", "d0.9-tol1e-10"])
def test_pagerank_matches_networkx(G, damping, tol, max_iter):
    ours = gj.pagerank(G, damping=damping, tol=tol, max_iter=max_iter)
    expected = nx_pagerank(G, alpha=damping, tol=tol, max_iter=max_iter)
    got = as_array(G, ours)
    assert got.dtype == np.float64
    assert np.abs(got - expected).sum() < 1e-9


@all_families
@pytest.mark.parametrize("damping, tol", [(0.85, 1e-6), (0.9, 1e-10)])
def test_pagerank_kernel_matches_interpreter(G, damping, tol):
    kw = dict(damping=damping, tol=tol, max_iter=1000)
    kernel = gj.pagerank.run(G, **kw)
    reference = gj.pagerank.interpret(G, **kw)
    assert np.abs(kernel.value - reference.value).sum() < 1e-12
    assert kernel.iterations == reference.iterations
    assert kernel.converged == reference.converged


@all_families
def test_pagerank_matches_hand_written_kernel(G):
    if pagerank_pull is None:
        pytest.skip(_PULL_MISSING)
    graph = gj.Graph.from_networkx(G)
    for damping, tol in [(0.85, 1e-6), (0.9, 1e-10)]:
        ranks, iterations, converged = pagerank_pull(
            graph.in_indptr, graph.in_indices, graph.out_degree.astype(np.int32),
            damping, tol, 1000)
        ours = gj.pagerank.run(graph, damping=damping, tol=tol, max_iter=1000)
        assert np.abs(ours.value - ranks).sum() < 1e-12
        if len(G):
            assert (ours.iterations, ours.converged) == (iterations, converged)


@nonempty_families
def test_pagerank_convergence_report(G):
    result = gj.pagerank.run(G)
    assert result.converged is True
    assert result.iterations == nx_iterations(G)

    short = gj.pagerank.run(G, max_iter=2, on_nonconvergence="ignore")
    if nx_iterations(G) > 2:
        assert (short.iterations, short.converged) == (2, False)
        with pytest.raises(gj.ConvergenceError, match=r"after 2 iteration\(s\), its last change"):
            gj.pagerank(G, max_iter=2)            # as networkx raises
    else:                                    # e.g. a single node: done after one iteration
        assert short.converged is True and short.iterations == nx_iterations(G)


@nonempty_families
def test_pagerank_final_residual_is_the_last_rounds_l1_change(G):
    tol = 1e-6
    result = gj.pagerank.run(G, tol=tol)
    # the test compares the L1 change with n * tol (networkx's rule)
    assert 0.0 <= result.residual < len(G) * tol
    before = gj.pagerank.run(G, tol=tol, max_iter=result.iterations - 1,
                             on_nonconvergence="ignore")
    last_change = np.abs(result.value - before.value).sum()
    assert result.residual == pytest.approx(last_change, rel=1e-9, abs=1e-15)
    assert result.loops[0].residual == result.residual
    interpreted = gj.pagerank.interpret(G, tol=tol)
    assert interpreted.residual == pytest.approx(result.residual, rel=1e-9, abs=1e-15)
    if result.iterations > 1:
        assert before.residual >= len(G) * tol        # the round before had not converged
    else:
        assert before.residual is None                # no round ran: nothing was compared


def test_residuals_of_integer_fixed_and_frontier_loops():
    G = nx.karate_club_graph()
    # an integer convergence test: the largest label change, as a float
    for tier in (gj.connected_components.run, gj.connected_components.interpret):
        labels = tier(G)
        assert labels.converged is True and labels.residual == 0.0
    fixed = gj.label_propagation.run(G, max_iter=3)           # iterate(n): nothing to compare
    assert fixed.loops and fixed.residual is None
    assert fixed.loop_summary() == {"iterations": 3, "converged": None, "residual": None}
    frontier = gj.bfs.interpret(G, source=0)                  # while_any: no residual either
    assert frontier.loops and all(loop.residual is None for loop in frontier.loops)


@all_families
def test_networkx_output_is_keyed_by_node(G):
    labelled = gj.pagerank(G)
    assert isinstance(labelled, dict)
    assert list(labelled) == list(G)
    assert all(type(x) is float for x in labelled.values())
    # the same numbers, by position, as the unlabelled run on the converted graph
    plain = gj.pagerank(gj.Graph.from_networkx(G, weight="weight"))
    assert isinstance(plain, np.ndarray)
    assert np.array_equal(as_array(G, labelled), plain)
    if len(G):
        assert abs(sum(labelled.values()) - 1.0) < 1e-12


def test_configured_pagerank_is_the_same_as_passing_parameters():
    G = nx.karate_club_graph()
    configured = gj.pagerank(damping=0.9, tol=1e-9)
    direct = gj.pagerank.run(G, damping=0.9, tol=1e-9)
    assert np.array_equal(configured.run(G).value, direct.value)
    assert configured(G) == gj.pagerank(G, damping=0.9, tol=1e-9)
    # overriding a configured value at call time
    assert np.array_equal(configured.run(G, damping=0.85).value,
                          gj.pagerank.run(G, damping=0.85, tol=1e-9).value)


def test_changing_parameters_never_recompiles():
    G = nx.karate_club_graph()
    gj.pagerank(G)                                          # make sure the kernel is loaded
    before = gj.pagerank.stats.compiles + gj.pagerank.stats.disk_hits
    for damping, tol, max_iter in [(0.5, 1e-3, 10), (0.99, 1e-12, 5000), (0.85, 1e-6, 1)]:
        gj.pagerank.run(G, damping=damping, tol=tol, max_iter=max_iter,
                        on_nonconvergence="ignore")
    gj.pagerank.run(gj.Graph.from_networkx(nx.path_graph(7)))
    assert gj.pagerank.stats.compiles + gj.pagerank.stats.disk_hits == before


# --- degree centrality ----------------------------------------------------------------------

@all_families
def test_degree_centrality_matches_networkx(G):
    got = gj.degree_centrality(G)
    assert list(got) == list(G)
    expected = nx.degree_centrality(G)
    assert np.abs(as_array(G, got) - as_array(G, expected)).max(initial=0.0) < 1e-12


@all_families
def test_degree_centrality_kernel_matches_interpreter(G):
    assert np.array_equal(gj.degree_centrality.run(G).value,
                          gj.degree_centrality.interpret(G).value)


# --- connected components -------------------------------------------------------------------

@all_families
def test_connected_components_match_networkx(G):
    got = gj.connected_components(G)
    assert list(got) == list(G)
    labels = as_array(G, got) if len(G) else np.zeros(0, dtype=np.int64)
    assert partition(G, labels) == {frozenset(c) for c in nx_components(G)}
    index = node_index(G)
    for component in nx_components(G):
        smallest = min(index[v] for v in component)
        assert {got[v] for v in component} == {smallest}


@all_families
def test_connected_components_kernel_matches_interpreter(G):
    kernel = gj.connected_components.run(G)
    reference = gj.connected_components.interpret(G)
    assert kernel.value.dtype == np.int64
    assert np.array_equal(kernel.value, reference.value)
    assert (kernel.iterations, kernel.converged) == (reference.iterations, reference.converged)
    if len(G):
        assert kernel.converged is True


# --- label propagation ----------------------------------------------------------------------

@all_families
@pytest.mark.parametrize("max_iter", [1, 20])
def test_label_propagation_matches_reference(G, max_iter):
    got = gj.label_propagation(G, max_iter=max_iter)
    assert list(got) == list(G)
    labels = as_array(G, got) if len(G) else np.zeros(0, dtype=np.int64)
    assert np.array_equal(labels, label_propagation_reference(G, max_iter))


@all_families
def test_label_propagation_kernel_matches_interpreter(G):
    kernel = gj.label_propagation.run(G, max_iter=7)
    reference = gj.label_propagation.interpret(G, max_iter=7)
    assert kernel.value.dtype == np.int64
    assert np.array_equal(kernel.value, reference.value)
    assert kernel.iterations == reference.iterations == 7
    assert kernel.converged is None                        # a fixed-count loop


def test_label_propagation_zero_rounds_keeps_initial_labels():
    G = nx.karate_club_graph()
    assert np.array_equal(gj.label_propagation.run(G, max_iter=0).value, np.arange(len(G)))


# --- every input form gives the same answer -------------------------------------------------

@all_families
@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda a: a.name)
def test_input_forms_agree(G, algorithm):
    G = without_edge_data(G)                  # the other forms are unweighted
    from_networkx = algorithm(G)
    expected = as_array(G, from_networkx) if len(G) else np.zeros(0)
    for form, graph in input_forms(G, algorithm).items():
        got = algorithm(graph)
        assert isinstance(got, np.ndarray), form
        assert got.shape == (len(G),), form
        assert np.array_equal(got, expected), form


# --- the empty graph ------------------------------------------------------------------------

@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda a: a.name)
@pytest.mark.parametrize("directed", [False, True], ids=["undirected", "directed"])
def test_empty_graph_gives_empty_results(algorithm, directed):
    G = nx.DiGraph() if directed else nx.Graph()
    assert algorithm(G) == {}
    for graph in (gj.Graph.from_networkx(G), to_scipy(G),
                  gj.Graph.from_edges([], [], num_nodes=0, directed=directed)):
        result = algorithm.run(graph)
        assert result.value.shape == (0,)
        assert algorithm.interpret(graph).value.shape == (0,)


def test_empty_graph_pagerank_converges():
    # networkx returns {} without raising PowerIterationFailedConvergence, and the
    # hand-written kernel reports (0 iterations, converged); there is nothing to iterate.
    result = gj.pagerank.run(nx.Graph())
    assert result.converged is True
    assert result.iterations <= 1


# --- random small graphs --------------------------------------------------------------------

@st.composite
def small_graphs(draw):
    n = draw(st.integers(0, 12))
    directed = draw(st.booleans())
    order = draw(st.permutations(range(n)))
    node = st.integers(0, n - 1) if n else st.nothing()
    edges = draw(st.lists(st.tuples(node, node), max_size=3 * n))
    G = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from(order)                   # nodes in a shuffled order: labels must follow
    G.add_edges_from(edges)
    return G


@settings(max_examples=30, deadline=None)
@given(small_graphs())
def test_pagerank_random_small_graphs(G):
    result = gj.pagerank.run(G)
    try:
        expected = nx_pagerank(G)
    except nx.PowerIterationFailedConvergence:
        assert result.converged is False
        return
    assert np.abs(as_array(G, result.labelled()) - expected).sum() < 1e-9
    reference = gj.pagerank.interpret(G)
    assert np.abs(result.value - reference.value).sum() < 1e-12
    assert result.iterations == reference.iterations


@settings(max_examples=30, deadline=None)
@given(small_graphs())
def test_connected_components_random_small_graphs(G):
    result = gj.connected_components.run(G)
    labels = result.value
    assert partition(G, labels) == {frozenset(c) for c in nx_components(G)}
    index = node_index(G)
    for component in nx_components(G):
        assert {int(labels[index[v]]) for v in component} == {min(index[v] for v in component)}
    assert np.array_equal(labels, gj.connected_components.interpret(G).value)
