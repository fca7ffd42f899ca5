"""Pulls over each node's first arcs (``first=k``), scatters other than min, and the
Afforest-style components built on them, against plain numpy and networkx."""

import networkx as nx
import numpy as np
import pytest

import groggy_jit as gj
from groggy_jit.codegen.emit import generate_source
from groggy_jit.codegen.python_mode import load_python
from groggy_jit.dsl.builder import GraphHandle
from groggy_jit.errors import GroggyJITError, KindError, PartitionError
from groggy_jit.runtime.executor import kernel_args
from groggy_jit.runtime.params import bind

GRAPHS = {
    "directed": gj.Graph.from_networkx(nx.gnp_random_graph(40, 0.15, seed=3, directed=True)),
    "undirected": gj.Graph.from_networkx(nx.gnp_random_graph(40, 0.15, seed=4)),
    # parallel arcs and self loops: a node's first arcs can repeat a neighbour or be itself
    "multigraph": gj.Graph.from_networkx(nx.MultiDiGraph(
        [(0, 1), (0, 1), (0, 0), (2, 0), (2, 1), (2, 3), (3, 3), (4, 2), (4, 1), (4, 0)])),
    "no_arcs": gj.Graph.from_edges([], [], num_nodes=3, directed=True),
}
WANTED = ("in", "out", "both")


def first_arcs(graph, over: str, k: int):
    """Every node's first ``k`` neighbours of each direction the pull reads, in numpy."""
    lists = {"in": (graph.in_indptr, graph.in_indices), "out": (graph.out_indptr, graph.out_indices)}
    directions = (["in", "out"] if graph.directed else ["in"]) if over == "both" else [over]
    out = [[] for _ in range(graph.num_nodes)]
    for d in directions:
        indptr, indices = lists[d]
        for v in range(graph.num_nodes):
            out[v].extend(int(u) for u in indices[indptr[v]:min(indptr[v + 1], indptr[v] + k)])
    return out


def sampled_program() -> gj.Algorithm:
    b = gj.AlgorithmBuilder("sampled_pulls")
    sG = GraphHandle(b)
    index = sG.nodes(unique=True)
    odd = (index % 2) == 1
    for over in WANTED:
        for k in (1, 2, 5):
            b.attach_as(f"min_{over}_{k}", sG.pull(index, over=over, reduce="min", first=k))
            b.attach_as(f"sum_{over}_{k}", sG.pull(index * 1.5, over=over, reduce="sum", first=k))
            b.attach_as(f"count_{over}_{k}", sG.pull(odd, over=over, reduce="count", first=k))
        b.attach_as(f"masked_{over}", sG.pull(index, over=over, reduce="max", first=2, mask=odd,
                                               at=index < 30))
        b.attach_as(f"mode_{over}", sG.pull(index % 3, over=over, reduce="mode", first=3))
        b.attach_as(f"argmin_{over}", sG.pull(index % 4, over=over, reduce="argmin", first=2))
    return b.build()


@pytest.fixture(scope="module")
def sampled():
    return sampled_program()


@pytest.mark.parametrize("name", GRAPHS)
def test_a_pull_over_the_first_arcs_reads_exactly_those(sampled, name):
    graph = GRAPHS[name]
    got = sampled.interpret(graph).values
    for over in WANTED:
        for k in (1, 2, 5):
            arcs = first_arcs(graph, over, k)
            big = np.iinfo(np.int64).max
            assert got[f"min_{over}_{k}"].tolist() == [min(a, default=big) for a in arcs]
            assert got[f"sum_{over}_{k}"].tolist() == [1.5 * sum(a) for a in arcs]
            assert got[f"count_{over}_{k}"].tolist() == [sum(u % 2 for u in a) for a in arcs]
        arcs = first_arcs(graph, over, 2)
        want = [max((u for u in a if u % 2), default=np.iinfo(np.int64).min) if v < 30
                else np.iinfo(np.int64).min for v, a in enumerate(arcs)]
        assert got[f"masked_{over}"].tolist() == want


def compiled_sample() -> gj.Algorithm:
    """A few of the sampled pulls, for Numba (each pull is seconds of compile)."""
    b = gj.AlgorithmBuilder("sampled_pulls_compiled")
    sG = GraphHandle(b)
    index = sG.nodes(unique=True)
    for over in ("out", "both"):
        b.attach_as(f"min_{over}", sG.pull(index, over=over, reduce="min", first=1))
        b.attach_as(f"masked_{over}", sG.pull(index * 1.5, over=over, reduce="sum", first=2,
                                               mask=(index % 2) == 1, at=index < 30))
    b.attach_as("mode", sG.pull(index % 3, over="in", reduce="mode", first=3))
    return b.build()


@pytest.mark.parametrize("name", GRAPHS)
def test_generated_code_agrees_with_the_interpreter_as_python(sampled, name):
    graph = GRAPHS[name]
    want = sampled.interpret(graph).values
    plan = gj.compile_to_batch(sampled)
    raw = load_python(generate_source(plan))(*kernel_args(graph, bind(plan.ir.params, {}, graph)))
    for k, (out, _) in enumerate(plan.outputs):
        np.testing.assert_array_equal(raw[k], want[out], err_msg=out)


def test_compiled_sampled_pulls_agree_with_the_interpreter():
    algo = compiled_sample()
    for graph in GRAPHS.values():
        want = algo.interpret(graph).values
        for out, value in algo.run(graph, tier="kernel").values.items():
            np.testing.assert_array_equal(value, want[out], err_msg=out)


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "2"])
def test_first_must_be_a_positive_int(bad):
    b = gj.AlgorithmBuilder("bad_first")
    sG = GraphHandle(b)
    with pytest.raises(KindError, match="first="):
        sG.pull(sG.nodes(1.0), first=bad)
    assert issubclass(KindError, GroggyJITError)


def test_a_frontier_pull_over_first_arcs_is_never_pushed():
    """A push cannot tell which arcs are among a target's first: every schedule pulls."""
    @gj.algorithm("sampled_reach")
    def sampled_reach(sG):
        index = sG.nodes(unique=True)
        reached = index == 0
        frontier = index == 0
        with sG.while_any(frontier):
            frontier = sG.pull(frontier, over="in", reduce="any", at=~reached, first=1)
            reached = reached | frontier
        return reached

    graph = GRAPHS["directed"]
    want = sampled_reach.interpret(graph).value
    assert not sampled_reach.plan.frontiers
    for schedule in ("auto", "push", "pull"):
        got = sampled_reach.run(graph, tier="kernel", schedule=schedule)
        np.testing.assert_array_equal(got.value, want)
        assert all(loop.pushed == 0 for loop in got.loops)


def test_a_pull_over_first_arcs_is_not_split_across_partitions():
    from groggy_jit.dask.split import split

    @gj.algorithm("first_neighbour")
    def first_neighbour(sG):
        return sG.pull(sG.nodes(unique=True), reduce="min", first=1)

    with pytest.raises(PartitionError, match="first arcs"):
        split(first_neighbour)


def test_scatters_fold_in_node_order():
    @gj.algorithm("scatters")
    def scatters(sG):
        index = sG.nodes(unique=True)
        target = (index * 7) % 5 - 1                  # -1 is no node: skipped
        values = index * 0.1 + 0.3
        return {"sum": sG.nodes(0.0).scatter_add(target, values),
                "count": (index * 0).scatter_add(target, 1),
                "max": sG.nodes(-1.0).scatter_max(target, values),
                "min": sG.nodes(9.0).scatter_min(target, values)}

    graph = gj.Graph.from_edges([0], [1], num_nodes=23, directed=True)
    target = (np.arange(23) * 7) % 5 - 1
    values = np.arange(23) * 0.1 + 0.3
    want = {"sum": np.zeros(23), "count": np.zeros(23, np.int64),
            "max": np.full(23, -1.0), "min": np.full(23, 9.0)}
    for j in range(23):                               # the serial loop the op stands for
        if target[j] >= 0:
            want["sum"][target[j]] += values[j]
            want["count"][target[j]] += 1
            want["max"][target[j]] = max(want["max"][target[j]], values[j])
            want["min"][target[j]] = min(want["min"][target[j]], values[j])
    for result in (scatters.interpret(graph), scatters.run(graph, tier="kernel")):
        for name, value in want.items():
            np.testing.assert_array_equal(result.values[name], value, err_msg=name)


def test_scatter_add_refuses_bools_and_lossy_values():
    b = gj.AlgorithmBuilder("bad_scatter")
    sG = GraphHandle(b)
    index = sG.nodes(unique=True)
    with pytest.raises(KindError, match="needs numbers"):
        (index > 2).scatter_add(index, True)
    with pytest.raises(KindError, match="cast first"):
        index.scatter_add(index, 0.5)


# --- connected components by sampling -----------------------------------------------------

FAMILIES = {
    "path": nx.path_graph(30),
    # the large component does not hold node 0, and its smallest node joins it last
    "large_elsewhere": nx.relabel_nodes(nx.disjoint_union(nx.path_graph(4), nx.grid_2d_graph(6, 7)),
                                        lambda v: (v + 5) % 46),
    "directed": nx.gnp_random_graph(80, 0.02, seed=5, directed=True),
    "isolated": nx.union(nx.cycle_graph(5), nx.empty_graph(range(5, 12))),
    "self_loops": nx.MultiGraph([(0, 0), (1, 2), (2, 1), (3, 3), (3, 4), (5, 5)]),
    "empty": nx.empty_graph(0),
    "star_forest": nx.disjoint_union_all([nx.star_graph(k) for k in (1, 5, 9, 3)]),
    "power_law": nx.barabasi_albert_graph(300, 1, seed=6),
}


def ordered(G):
    """``G`` with its nodes 0..n-1 inserted in order, so node v is index v."""
    H = G.__class__()
    H.add_nodes_from(sorted(G))
    H.add_edges_from(G.edges)
    return H


def labels(G):
    want = {}
    comps = nx.weakly_connected_components(G) if G.is_directed() else nx.connected_components(G)
    for component in comps:
        for v in component:
            want[v] = min(component)
    return [want[v] for v in sorted(G)]


@pytest.mark.parametrize("name", FAMILIES)
def test_afforest_matches_networkx_whatever_the_sample(name):
    G = ordered(FAMILIES[name])
    graph = gj.Graph.from_networkx(G)
    want = labels(G)
    for rounds in (0, 1, 3, 12):
        got = gj.connected_components_afforest.run(graph, tier="kernel", sample_rounds=rounds)
        assert got.value.tolist() == want, rounds
        assert gj.connected_components_afforest.interpret(graph, sample_rounds=rounds) \
            .value.tolist() == want


def test_afforest_on_a_large_graph_with_many_components():
    G = nx.union(nx.gnm_random_graph(4000, 5000, seed=7),
                 nx.relabel_nodes(nx.grid_2d_graph(40, 40), lambda v: 4000 + 40 * v[0] + v[1]))
    G = ordered(G)
    graph = gj.Graph.from_networkx(G)
    got = gj.connected_components_afforest.run(graph, tier="kernel").value
    assert got.tolist() == labels(G)
    assert got.tolist() == gj.connected_components_fastsv.run(graph, tier="kernel").value.tolist()
