"""The bandwidth cost model: bytes and operations per iteration and per run (no Numba)."""

import networkx as nx
import pytest

import groggy_jit as gj
from groggy_jit.algorithms import REGISTRY
from groggy_jit.plan.estimate import BYTE_KINDS, PerformanceEstimate, estimate_performance


@pytest.fixture(scope="module")
def graph():
    return gj.as_graph(nx.gnp_random_graph(300, 0.05, seed=7, directed=True))


def test_pagerank_estimate_on_a_graph(graph):
    est = estimate_performance(gj.pagerank.plan, graph)
    assert isinstance(est, PerformanceEstimate)
    assert (est.num_nodes, est.num_edges, est.directed) == (300, graph.num_edges, True)
    assert est.iterations == {0: 100}                  # max_iter's default: an upper bound
    assert "max_iter default" in est.iteration_notes[0]
    assert est.seconds > 0
    assert est.bytes_per_run == est.setup_bytes + 100 * est.bytes_per_iteration
    assert est.ops_per_run == est.setup_ops + 100 * est.ops_per_iteration
    assert sum(est.bytes_by_kind.values()) == est.bytes_per_run
    assert set(est.bytes_by_kind) == set(BYTE_KINDS)


def test_counts_match_the_graph(graph):
    from_graph = estimate_performance(gj.pagerank.plan, graph, iterations=20)
    from_counts = estimate_performance(gj.pagerank.plan, num_nodes=graph.num_nodes,
                                       num_edges=graph.num_edges, iterations=20)
    assert from_graph.bytes_per_run == from_counts.bytes_per_run
    assert from_graph.ops_per_run == from_counts.ops_per_run


def test_pull_reads_the_index_and_gathers_per_arc():
    n, m = 1000, 16000
    est = estimate_performance(gj.pagerank.plan, num_nodes=n, num_edges=m, iterations=1)
    per_iter = est.iteration_bytes_by_kind
    # one pull over in-edges: int32 indices and float64 source values, once per arc
    assert per_iter["gather"] == 8 * m
    assert per_iter["index"] >= 4 * m + 4 * (n + 1)
    assert est.ops_per_iteration >= m


def test_bytes_per_iteration_scale_linearly_with_arcs():
    n = 10_000
    b = [estimate_performance(gj.pagerank.plan, num_nodes=n, num_edges=m, iterations=10)
         .bytes_per_iteration for m in (50_000, 100_000, 150_000, 200_000)]
    steps = {b[k + 1] - b[k] for k in range(3)}
    assert len(steps) == 1 and steps.pop() > 0
    per_arc = (b[1] - b[0]) / 50_000
    assert per_arc == 4 + 8                            # an int32 index and a float64 gather


def test_pull_bytes_dominate_on_dense_graphs():
    dense = gj.as_graph(nx.gnp_random_graph(200, 0.5, seed=1, directed=True))
    for plan in (gj.pagerank.plan, gj.compile_to_batch(gj.pagerank, opt_level=0)):
        est = estimate_performance(plan, dense)
        assert est.pull_bytes_per_iteration > 0.8 * est.bytes_per_iteration
        assert est.pull_bytes_per_run > 0.8 * est.bytes_per_run


def test_unfused_plan_moves_more_bytes_than_fused(graph):
    fused = estimate_performance(gj.pagerank.plan, graph, iterations=20)
    unfused = estimate_performance(gj.compile_to_batch(gj.pagerank, opt_level=0), graph,
                                   iterations=20)
    assert unfused.bytes_per_iteration > fused.bytes_per_iteration
    assert unfused.bytes_per_run > fused.bytes_per_run
    assert unfused.seconds > fused.seconds
    # fusion removes streaming traffic of intermediates, not the pull's own traffic
    assert unfused.bytes_by_kind["read"] + unfused.bytes_by_kind["write"] > \
        fused.bytes_by_kind["read"] + fused.bytes_by_kind["write"]


def test_seconds_follow_bandwidth(graph):
    fast = estimate_performance(gj.pagerank.plan, graph, bandwidth_gbs=40.0)
    slow = estimate_performance(gj.pagerank.plan, graph, bandwidth_gbs=20.0)
    assert fast.seconds == pytest.approx(fast.bytes_per_run / 40e9)
    assert slow.seconds == pytest.approx(2 * fast.seconds)


def test_iterations_given_per_loop_or_for_all(graph):
    plan = gj.pagerank.plan
    assert estimate_performance(plan, graph, iterations=7).iterations == {0: 7}
    assert estimate_performance(plan, graph, iterations={0: 3}).iterations == {0: 3}
    zero = estimate_performance(plan, graph, iterations=0)
    assert zero.bytes_per_run == zero.setup_bytes
    with pytest.raises(ValueError, match="non-negative integer"):
        estimate_performance(plan, graph, iterations=-1)


def test_fixed_loop_with_a_constant_count(graph):
    @gj.algorithm
    def smooth(sG):
        x = sG.nodes(1.0)
        with sG.iterate(7):
            x = sG.var("x", sG @ x)
        return x

    est = estimate_performance(smooth.plan, graph)
    assert est.iterations == {0: 7} and "fixed count" in est.iteration_notes[0]


def test_frontier_loop_bound_uses_the_graph_size(graph):
    est = estimate_performance(REGISTRY["bfs"].plan, graph)
    assert est.iterations == {0: graph.num_nodes + 1}


def test_wider_indices_move_more_bytes(graph):
    p32 = estimate_performance(gj.compile_to_batch(gj.pagerank, index_dtype="int32"), graph)
    p64 = estimate_performance(gj.compile_to_batch(gj.pagerank, index_dtype="int64"), graph)
    assert p64.bytes_by_kind["index"] > p32.bytes_by_kind["index"]
    assert p64.bytes_by_kind["gather"] == p32.bytes_by_kind["gather"]


def test_undirected_graphs_read_one_edge_list_for_both_directions():
    plan = gj.connected_components.plan
    directed = estimate_performance(plan, num_nodes=500, num_edges=4000, iterations=5,
                                    directed=True)
    undirected = estimate_performance(plan, num_nodes=500, num_edges=4000, iterations=5,
                                      directed=False)
    assert undirected.bytes_per_run < directed.bytes_per_run


def test_algorithms_are_accepted_directly(graph):
    assert estimate_performance(gj.pagerank, graph).bytes_per_run == \
        estimate_performance(gj.pagerank.plan, graph).bytes_per_run


def test_table_is_readable(graph):
    text = str(estimate_performance(gj.pagerank.plan, graph, iterations=20))
    assert text.startswith("estimate pagerank: 300 nodes")
    for part in ("loop #0 converge", "parallel [", "per iteration:", "per run:", "GB/s",
                 "gather"):
        assert part in text


def test_bad_arguments():
    with pytest.raises(ValueError, match="num_nodes and num_edges"):
        estimate_performance(gj.pagerank.plan)
    with pytest.raises(ValueError, match="bandwidth"):
        estimate_performance(gj.pagerank.plan, num_nodes=1, num_edges=1, bandwidth_gbs=0)
    with pytest.raises(TypeError, match="plan or an algorithm"):
        estimate_performance("pagerank", num_nodes=1, num_edges=1)
