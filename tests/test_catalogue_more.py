"""The rest of the catalogue against networkx / scipy, through kernel and interpreter."""

import itertools
import random
from fractions import Fraction

import networkx as nx
import numpy as np
import pytest
import scipy.sparse.csgraph as csgraph
from networkx.algorithms.link_analysis.hits_alg import _hits_scipy

import groggy_jit as gj
from groggy_jit.codegen.emit import generate_source
from groggy_jit.codegen.python_mode import load_python
from groggy_jit.dsl.builder import GraphHandle
from groggy_jit.runtime.executor import kernel_args
from groggy_jit.runtime.params import bind

FAMILIES = {name: nx.convert_node_labels_to_integers(G) for name, G in {
    "directed": nx.gnp_random_graph(40, 0.08, seed=11, directed=True),
    "undirected": nx.gnp_random_graph(45, 0.1, seed=12),
    "isolated": nx.union(nx.path_graph(6), nx.empty_graph(range(6, 10))),
    "power_law": nx.barabasi_albert_graph(60, 2, seed=13),
    "karate": nx.Graph(nx.karate_club_graph().edges()),     # weights dropped
}.items()}


def as_array(d, G):
    return np.array([d[v] for v in G], dtype=float)


def both(algo, G, **params):
    """Kernel and interpreter results; they must agree to rounding."""
    kernel = algo.run(G, **params)
    reference = algo.interpret(G, **params)
    for name, value in kernel.values.items():
        np.testing.assert_allclose(value, reference.values[name], rtol=1e-11, atol=1e-14)
    assert [r.iterations for r in kernel.loops] == [r.iterations for r in reference.loops]
    return kernel


@pytest.mark.parametrize("name", FAMILIES)
def test_closeness_and_betweenness(name):
    G = FAMILIES[name]
    np.testing.assert_allclose(both(gj.closeness_centrality, G).value,
                               as_array(nx.closeness_centrality(G), G), atol=1e-12)
    for normalized in (True, False):
        got = both(gj.betweenness_centrality, G, normalized=normalized).value
        want = as_array(nx.betweenness_centrality(G, normalized=normalized), G)
        np.testing.assert_allclose(got, want, atol=1e-9)


@pytest.mark.parametrize("name", FAMILIES)
def test_betweenness_from_sampled_sources_matches_networkx_k_and_seed(name):
    G = FAMILIES[name]
    n = len(G)
    for k, seed, normalized in [(5, 1, True), (5, 1, False), (1, 2, True), (n - 1, 3, False),
                                (n, 4, True)]:
        sample = random.Random(seed).sample(list(G), k)       # networkx's own draw
        want = as_array(nx.betweenness_centrality(G, k=k, seed=seed, normalized=normalized), G)
        as_set = both(gj.betweenness_centrality, G, normalized=normalized, sources=set(sample))
        mask = np.isin(np.arange(n), sample)                  # the same sample, one bool per node
        as_mask = gj.betweenness_centrality.run(G, normalized=normalized, sources=mask)
        for got in (as_set.value, as_mask.value):
            np.testing.assert_allclose(got, want, atol=1e-9, equal_nan=True,
                                       err_msg=f"k={k} seed={seed} normalized={normalized}")


@pytest.mark.parametrize("name", FAMILIES)
def test_spectral_centralities(name):
    G = FAMILIES[name]
    if name != "directed":          # networkx's eigenvector/Katz iterate in-neighbours too
        np.testing.assert_allclose(
            both(gj.eigenvector_centrality, G, max_iter=1000).value,
            as_array(nx.eigenvector_centrality(G, max_iter=1000), G), atol=1e-9)
    np.testing.assert_allclose(both(gj.katz_centrality, G, alpha=0.05).value,
                               as_array(nx.katz_centrality(G, alpha=0.05), G), atol=1e-9)
    out = both(gj.hits, G, tol=1e-12, max_iter=1000).values
    hubs, auth = _hits_scipy(G, tol=1e-12, max_iter=1000)
    np.testing.assert_allclose(out["hubs"], as_array(hubs, G), atol=1e-9)
    np.testing.assert_allclose(out["authorities"], as_array(auth, G), atol=1e-9)


@pytest.mark.parametrize("name", FAMILIES)
def test_personalized_pagerank_and_cores(name):
    G = FAMILIES[name]
    nodes = list(G)
    for personalization in [{nodes[3]: 1}, {nodes[0]: 2.0, nodes[5]: 0.5, nodes[-1]: 1.5}]:
        got = both(gj.personalized_pagerank, G, personalization=personalization, tol=1e-10,
                   max_iter=1000).value
        want = nx.pagerank(G, personalization=personalization, tol=1e-10, max_iter=1000,
                           weight=None)
        assert np.abs(got - as_array(want, G)).sum() < 1e-9
    if not G.is_directed():
        np.testing.assert_array_equal(both(gj.core_number, G).value,
                                      as_array(nx.core_number(G), G))


@pytest.mark.parametrize("name", FAMILIES)
def test_bfs_depths_and_parents(name):
    G = FAMILIES[name]
    for source in list(G)[:3]:
        out = both(gj.bfs, G, source=source).values
        depth, parent = out["depth"], out["parent"]
        lengths = nx.single_source_shortest_path_length(G, source)
        assert depth.tolist() == [lengths.get(v, -1) for v in G]
        for v in G:
            if v == source:
                assert parent[v] == source
            elif v in lengths:
                p = parent[v]
                assert G.has_edge(p, v) and depth[p] == depth[v] - 1
                assert p == min(u for u in G.predecessors(v) if depth[u] == depth[v] - 1) \
                    if G.is_directed() else p == min(u for u in G[v] if depth[u] == depth[v] - 1)
            else:
                assert parent[v] == -1


def weighted(G, seed):
    rng = np.random.default_rng(seed)
    H = G.copy()
    for u, v in H.edges:
        H[u][v]["weight"] = float(rng.integers(1, 256))
    return gj.Graph.from_networkx(H, weight="weight")


@pytest.mark.parametrize("name", FAMILIES)
def test_sssp_matches_dijkstra(name):
    graph = weighted(FAMILIES[name], seed=len(name))
    for source in (0, 2):
        want = csgraph.dijkstra(graph.to_scipy(), indices=source)
        np.testing.assert_allclose(both(gj.sssp, graph, source=source).value, want)
        for delta in (16.0, 1000.0):
            got = both(gj.sssp_delta, graph, source=source, delta=delta).value
            np.testing.assert_allclose(got, want)


def test_sssp_on_unweighted_graph_counts_hops():
    G = FAMILIES["directed"]
    got = gj.sssp(gj.Graph.from_networkx(G), source=1)
    lengths = nx.single_source_shortest_path_length(G, 1)
    assert got.tolist() == [float(lengths.get(v, np.inf)) for v in G]


def test_source_accepts_networkx_labels():
    G = nx.relabel_nodes(nx.path_graph(4), {0: "a", 1: "b", 2: "c", 3: "d"})
    assert gj.bfs(G, source="c")["depth"] == {"a": 2, "b": 1, "c": 0, "d": 1}


@pytest.mark.parametrize("name", FAMILIES)
def test_fastsv_matches_label_propagation_and_networkx(name):
    G = FAMILIES[name]
    got = both(gj.connected_components_fastsv, G).value
    assert got.tolist() == gj.connected_components.run(G).value.tolist()
    components = nx.weakly_connected_components(G) if G.is_directed() else nx.connected_components(G)
    for component in components:
        assert {int(got[v]) for v in component} == {min(component)}


def test_gather_and_scatter_min_semantics():
    @gj.algorithm
    def pointer_ops(sG):
        index = sG.nodes(unique=True)
        target = (index * 2) % (sG.N + 1)         # some indices fall outside the graph
        values = sG.nodes(100.0) - index
        gathered = values[target]
        scattered = sG.nodes(200.0).scatter_min(target, values)
        return {"gathered": gathered, "scattered": scattered}

    graph = gj.as_graph(nx.path_graph(5))
    out = both(pointer_ops, graph).values
    # target = [0, 2, 4, 0, 2]; n = 5, so every target is valid here
    np.testing.assert_array_equal(out["gathered"], [100.0, 98.0, 96.0, 100.0, 98.0])
    np.testing.assert_array_equal(out["scattered"], [97.0, 200.0, 96.0, 200.0, 98.0])
    graph6 = gj.as_graph(nx.path_graph(6))          # target 6 at node 3 is out of range
    out6 = both(pointer_ops, graph6).values
    assert np.isnan(out6["gathered"][3])


UNDIRECTED = [name for name, G in FAMILIES.items() if not G.is_directed()]


@pytest.mark.parametrize("name", UNDIRECTED)
def test_triangles_clustering_jaccard(name):
    G = nx.Graph(FAMILIES[name])
    G.add_edge(2, 2)                                  # a self loop: ignored, as in networkx
    triangles = both(gj.triangles, G).value
    assert triangles.tolist() == [nx.triangles(G)[v] for v in G]
    assert int(both(gj.triangle_count, G).value) == sum(nx.triangles(G).values()) // 3
    np.testing.assert_allclose(both(gj.clustering, G).value,
                               as_array(nx.clustering(G), G), atol=1e-12)
    H = nx.Graph(FAMILIES[name])                      # Jaccard: networkx's union counts self loops
    scores = gj.jaccard(H)
    for u, v, p in nx.jaccard_coefficient(H, H.edges()):
        assert scores[(u, v)] == pytest.approx(p) and scores[(v, u)] == pytest.approx(p)


def test_edge_maps_compute_inside_the_pull_loop():
    @gj.algorithm
    def weighted_mean_of_sources(sG):
        x = sG.nodes(unique=True).astype("f64")
        return sG.pull_edges(sG.src(x) * sG.edge_weights() + 1.0, "mean")

    G = nx.DiGraph()
    G.add_nodes_from([0, 1, 2])
    G.add_weighted_edges_from([(0, 2, 2.0), (1, 2, 4.0), (2, 0, 0.5)])
    graph = gj.Graph.from_networkx(G, weight="weight")
    out = both(weighted_mean_of_sources, graph).value
    np.testing.assert_allclose(out, [2.0, np.nan, 3.0])   # node 2: mean(0*2+1, 1*4+1)
    plan = weighted_mean_of_sources.plan
    assert plan.slots == [] or all(s.type.kind.value != "edge" for s in plan.slots)


def test_common_neighbours_of_hubs_searched_and_of_similar_lists_merged():
    # A leaf of a 300-leaf hub has a handful of neighbours: its common neighbours with
    # the hub are found by binary search in the hub's list, the others by merging.
    G = nx.star_graph(300)
    G.add_edges_from((v, v + 1) for v in range(1, 300, 3))         # hub triangles
    G.add_edges_from((v, v + 7) for v in range(1, 290, 5))
    G.add_edges_from(nx.gnp_random_graph(40, 0.3, seed=5).edges())   # dense part, hub inside
    G.add_edges_from([(150, 150), (151, 151), (0, 0)])                # never common neighbours
    b = gj.AlgorithmBuilder("common_per_arc")
    b.attach_as("common", GraphHandle(b).common_neighbors())
    algo = b.build()
    D = G.to_directed()                     # directed: out-neighbour lists, no reverse copy
    D.remove_edges_from([(u, v) for u, v in G.edges() if (u + v) % 3 == 0])
    for H in (G, D):
        graph = gj.Graph.from_networkx(H)
        got = both(algo, graph).value
        targets = np.repeat(np.arange(graph.num_nodes), np.diff(graph.in_indptr))
        want = [len((set(H[u]) & set(H[v])) - {u, v}) for u, v in zip(graph.in_indices, targets)]
        assert got.tolist() == want, H.is_directed()
    assert both(gj.triangles, G).value.tolist() == [nx.triangles(G)[v] for v in G]


def test_triangles_once_credits_each_triangle_to_its_lowest_node_by_degree():
    # Hubs, leaves and a dense part: the forward lists of hubs are short, of leaves whole.
    G = nx.star_graph(120)
    G.add_edges_from((v, v + 1) for v in range(1, 120, 3))
    G.add_edges_from(nx.gnp_random_graph(30, 0.4, seed=7).edges())
    G.add_edges_from([(5, 5), (0, 0)])                               # self loops: ignored
    b = gj.AlgorithmBuilder("triangles_once")
    b.attach_as("once", GraphHandle(b).triangles(once=True))
    algo = b.build()
    graph = gj.Graph.from_networkx(G)
    rank = {v: (len(G[v]), v) for v in G}          # (list length, a self loop in it, id)
    want = [sum(1 for u, x in itertools.combinations(set(G[v]) - {v}, 2)
                if G.has_edge(u, x) and rank[v] < min(rank[u], rank[x])) for v in sorted(G)]
    assert algo.interpret(graph).value.tolist() == want
    kernel = load_python(generate_source(algo.plan))                 # the source, no Numba
    raw = kernel(*kernel_args(graph, bind(algo.plan.ir.params, {}, graph), algo.plan.uses_weights))
    assert raw[0].tolist() == want
    assert sum(want) == int(both(gj.triangle_count, G).value) == sum(nx.triangles(G).values()) // 3
    with pytest.raises(gj.KindError, match="once"):
        GraphHandle(gj.AlgorithmBuilder("bad")).triangles(once="yes")


def test_triangles_refuse_directed_graphs():
    with pytest.raises(gj.GraphInputError, match="undirected"):
        gj.triangles(nx.DiGraph([(0, 1)]))


@pytest.mark.parametrize("directed", [True, False])
def test_argmin_pull_picks_the_neighbour_with_the_smallest_value(directed):
    G = nx.gnp_random_graph(30, 0.15, seed=21, directed=directed)
    for u, v in G.edges():
        G[u][v]["weight"] = float((u * 7 + v * 3) % 5)
    values = np.array([(v * 5) % 7 for v in G], dtype=float)     # many ties
    values[[4, 9]] = np.nan                                        # never chosen
    b = gj.AlgorithmBuilder("argmin_neighbour")
    sG = GraphHandle(b)
    x = b.node_values_param("x", 0.0)
    for over in ("in", "out", "both"):
        b.attach_as(over, sG.pull(x, over=over, reduce="argmin"))
        b.attach_as(f"{over}_weighted", sG.pull(x, over=over, reduce="argmin", weight="weight"))
    graph = gj.Graph.from_networkx(G, weight="weight")
    got = both(b.build(), graph, x=values).values

    def expected(over, weighted):
        best = []
        for v in G:
            arcs = [] if directed else [(u, G[u][v]["weight"]) for u in G[v]]
            if directed and over in ("in", "both"):
                arcs += [(u, G[u][v]["weight"]) for u in G.predecessors(v)]
            if directed and over in ("out", "both"):
                arcs += [(u, G[v][u]["weight"]) for u in G.successors(v)]
            scored = [(values[u] + (w if weighted else 0.0), u) for u, w in arcs
                      if not np.isnan(values[u])]
            best.append(min(scored)[1] if scored else -1)
        return best
    for over in ("in", "out", "both"):
        assert got[over].tolist() == expected(over, False), over
        assert got[f"{over}_weighted"].tolist() == expected(over, True), over


def _diamond_chain(k):
    """0 - {1, 2} - 3 - {4, 5} - 6 ...: the path counts double at every diamond."""
    G = nx.Graph()
    for i in range(k):
        top, left, right, bottom = 3 * i, 3 * i + 1, 3 * i + 2, 3 * i + 3
        G.add_edges_from([(top, left), (top, right), (left, bottom), (right, bottom)])
    return G


def _exact_sampled_betweenness(G, sources):
    """Brandes in exact integers and fractions, rescaled as networkx rescales a sample of
    an undirected graph (normalized, no endpoints)."""
    n, k = len(G), len(sources)
    total = dict.fromkeys(G, Fraction(0))
    for s in sources:
        depth, paths, order = {s: 0}, {s: 1}, [s]
        for u in order:
            for w in G[u]:
                if w not in depth:
                    depth[w], paths[w] = depth[u] + 1, 0
                    order.append(w)
                if depth[w] == depth[u] + 1:
                    paths[w] += paths[u]
        dependency = dict.fromkeys(G, Fraction(0))
        for w in reversed(order):
            for v in G[w]:
                if depth.get(v) == depth[w] - 1:
                    dependency[v] += Fraction(paths[v], paths[w]) * (1 + dependency[w])
            if w != s:
                total[w] += dependency[w]
    return np.array([float(total[v] / ((k - (v in sources)) * (n - 2))) for v in G])


def test_betweenness_path_counts_past_float64s_range():
    """A level's path counts near float64's limit are scaled: the result stays exact where
    networkx's (near 2**1024) turns into NaN, in every schedule. (Not interpreted: a
    thousand levels per source take the interpreter about a minute.)"""
    for diamonds, networkx_finite in [(950, True), (1100, False)]:
        G = _diamond_chain(diamonds)          # counts up to 2**950 (scaled here), 2**1100
        sample = random.Random(10).sample(list(G), 4)    # one source near an end
        want = _exact_sampled_betweenness(G, set(sample))
        theirs = as_array(nx.betweenness_centrality(G, k=4, seed=10), G)
        assert np.isfinite(theirs).all() == networkx_finite
        if networkx_finite:
            np.testing.assert_allclose(theirs, want, rtol=1e-12)
        for schedule in ("auto", "push", "pull"):
            got = gj.betweenness_centrality.run(G, sources=set(sample), schedule=schedule).value
            np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=schedule)
