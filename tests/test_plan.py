"""Batch plans: fusion, live ranges, slot reuse, and generated source run without Numba."""

import networkx as nx
import numpy as np
import pytest

import groggy_jit as gj
from groggy_jit.algorithms import REGISTRY
from groggy_jit.codegen.abi import unpack_results
from groggy_jit.codegen.emit import generate_source
from groggy_jit.codegen.python_mode import load_python
from groggy_jit.driver import loop_reports, loop_rows
from groggy_jit.plan.generator import carry_initial_values
from groggy_jit.plan.liveness import live_intervals, materialized
from groggy_jit.plan.steps import LoopStep
from groggy_jit.runtime.executor import kernel_args
from groggy_jit.runtime.params import bind

CATALOGUE = [gj.pagerank, gj.degree_centrality, gj.label_propagation, gj.connected_components]


def run_source(plan, graph, **params):
    """Execute a plan's generated source as plain Python."""
    kernel = load_python(generate_source(plan))
    return kernel(*kernel_args(graph, bind(plan.ir.params, params, graph), plan.uses_weights))


def test_pagerank_plan_uses_fewer_slots_than_values():
    plan = gj.compile_to_batch(gj.pagerank)
    assert isinstance(plan, gj.BatchExecutionPlan)
    assert len(plan.slots) < plan.num_values
    assert len(plan.slots) == 3, str(plan)


def test_disjoint_live_ranges_share_a_slot():
    @gj.algorithm
    def two_phases(sG):
        a = sG.nodes(1.0)
        b = sG @ a               # a is dead once b exists
        c = sG @ b               # b is dead once c exists
        return sG @ c

    plan = two_phases.plan
    arrays = set(plan.slot_of)
    intervals = live_intervals(plan.ir, plan.steps, arrays)
    pairs = [(x, y) for x in arrays for y in arrays
             if x < y and (intervals[x].end < intervals[y].start or intervals[y].end < intervals[x].start)]
    assert pairs, "expected values with disjoint live ranges"
    assert any(plan.slot_of[x] == plan.slot_of[y] for x, y in pairs)
    assert len(plan.slots) == 2 < len(arrays)


def test_values_that_are_live_together_never_share():
    for algo in CATALOGUE:
        plan = algo.plan
        arrays = set(plan.slot_of)
        iv = live_intervals(plan.ir, plan.steps, arrays)
        initial = carry_initial_values(plan.ir, plan.steps, arrays)
        for x in arrays:
            for y in arrays:
                if x < y and plan.slot_of[x] == plan.slot_of[y]:
                    # a carry may take over its initial value's array where that value ends
                    takes_over = any(initial.get(b) == a and iv[a].end == iv[b].start
                                     for a, b in ((x, y), (y, x)))
                    assert takes_over or iv[x].end < iv[y].start or iv[y].end < iv[x].start, \
                        (algo.name, x, y)


def test_a_carry_takes_over_its_initial_array_when_nothing_else_reads_it():
    """BFS's starting depth, parent and frontier are read by nothing after the loop starts:
    the loop runs in their arrays, with no copy; a start read after the loop is copied."""
    plan = gj.bfs.plan
    loop = next(s for s in plan.steps if isinstance(s, LoopStep))
    assert len(loop.copy_in) == 3 and plan.copies(loop) == []
    assert "[j] = s" not in generate_source(plan).function

    @gj.algorithm("start_read_after")
    def start_read_after(sG):
        start = sG.nodes(unique=True) * 1.0
        x = start
        with sG.iterate(3):
            x = sG.pull(x, reduce="min").minimum(x)
        return x - start

    plan = start_read_after.plan
    loop = next(s for s in plan.steps if isinstance(s, LoopStep))
    assert len(plan.copies(loop)) == 1
    graph = gj.Graph.from_edges([0, 1, 2], [1, 2, 3], num_nodes=5, directed=True)
    want = start_read_after.interpret(graph).value
    np.testing.assert_array_equal(start_read_after.run(graph, tier="kernel").value, want)
    assert want.tolist() == [0.0, -1.0, -2.0, -3.0, 0.0]


def test_pagerank_fuses_into_two_parallel_loops_per_iteration():
    plan = gj.pagerank.plan
    loop = next(s for s in plan.steps if hasattr(s, "body"))
    groups = [s for s in loop.body if type(s).__name__ == "GroupStep"]
    assert len(groups) == 2
    pull_group = next(g for g in groups if any(plan.ir.node_map[m].op == "pull" for m in g.members))
    assert pull_group.assigns, "the rank update should be written inside the pull loop"
    # The new rank is consumed inside its loop only: it never gets an array of its own.
    new_rank = pull_group.assigns[0][1]
    assert new_rank not in materialized(plan.ir, plan.steps)


def test_loops_merge_where_nothing_waits_between_them():
    """Reductions ride in the earliest loop that can take them, an edge loop writes node
    carries after its tail, and a pull over a fill reads the fill's scalar."""
    ppr = REGISTRY["personalized_pagerank"].plan
    first = ppr.groups()[0]
    assert [ppr.ir.node_map[m].op for m in first.members] == ["reduce"] * 3, str(ppr)
    assert len(ppr.groups()) == 4, str(ppr)      # its three sums share one loop
    lpa = REGISTRY["label_propagation_semi_synchronous"].plan
    assert all(g.members for g in lpa.groups()), str(lpa)
    assert any(g.domain == "edge" and g.assigns for g in lpa.groups()), str(lpa)
    pr = gj.pagerank.plan
    ops = [pr.ir.node_map[m].op for m in pr.groups()[0].members]
    assert "fill" in ops and "pull" in ops, str(pr)


def test_unfused_plan_has_one_loop_per_node_op():
    fused = gj.compile_to_batch(gj.pagerank)
    unfused = gj.compile_to_batch(gj.pagerank, opt_level=0)
    assert len(unfused.groups()) > len(fused.groups())


def test_plan_prints_slots_and_loops():
    text = str(gj.pagerank.plan)
    assert "slot s0" in text and "loop #0 converge" in text and "parallel [" in text


def test_source_is_one_readable_function():
    src = gj.pagerank.source
    assert src.count("def kernel(") == 1
    assert "prange(" in src and "while iterations0 < max_iter" in src
    assert "damping" in src and "for k in range(np.uint64(in_indptr[i]), np.uint64(in_indptr[i + ONE]))" in src


@pytest.mark.parametrize("algo", list(REGISTRY.values()), ids=lambda a: a.name)
@pytest.mark.parametrize("opt_level", [0, 1])
def test_generated_source_matches_the_interpreter(algo, opt_level):
    """Every catalogue algorithm, without and with all passes, agrees with the interpreter."""
    graphs = [nx.Graph(nx.karate_club_graph().edges()), nx.empty_graph(5)]
    if "directed" in algo.ir.requirements:
        graphs = [nx.DiGraph(G) for G in graphs]
    if "undirected" not in algo.ir.requirements:
        graphs.append(nx.gnp_random_graph(25, 0.1, seed=3, directed=True))
    plan = gj.compile_to_batch(algo, opt_level=opt_level)
    for G in graphs:
        graph = gj.as_graph(G)
        raw = run_source(plan, graph)
        reference = algo.interpret(graph)
        for k, (name, _) in enumerate(plan.outputs):
            np.testing.assert_allclose(raw[k], reference.values[name], rtol=1e-11, atol=1e-14)
        _, info, residuals = unpack_results(plan.outputs, raw)
        loops = loop_reports(loop_rows(plan), info, residuals)
        assert loops == reference.loops            # iterations and convergence
        for got, want in zip(loops, reference.loops):
            assert (got.residual is None) == (want.residual is None)
            if want.residual is not None:
                assert got.residual == pytest.approx(want.residual, rel=1e-11, abs=1e-14,
                                                     nan_ok=True)


def test_arrays_allocated_follow_live_slots_not_values():
    """Peak memory: the kernel allocates one array per slot, fewer than its node-map values."""
    for algo in REGISTRY.values():
        plan = algo.plan
        lines = [line.strip() for line in generate_source(plan).function.splitlines()]
        arrays = [line for line in lines
                  if any(f"= np.empty({size}," in line for size in ("n", "m", "npairs"))]
        # a frontier loop's own buffers: two lists, the nodes reached, an accumulator, and
        # an ordered frontier's list of the nodes a round pushes from; and one byte of
        # marks per node
        frontier = [line for line in arrays if line.startswith(("frontier_", "ordered_"))]
        assert len(frontier) == sum(4 + (plan.ordered_of(f) is not None)
                                    for f in plan.frontiers.values()), algo.name
        marks = [line for line in lines
                 if line.startswith("frontier_marks_") and "np.zeros" in line]
        assert len(marks) == len(plan.frontiers), algo.name
        # a bucketed loop's: the nodes by key, a cursor, a new value per carry it writes
        bucket = [line for line in arrays if line.startswith("bucket_")]
        assert len(bucket) == sum(2 + len(step.assigns) for step in plan.groups()
                                  if plan.bucket_of(step) is not None), algo.name
        allocated = len(arrays) - len(frontier) - len(bucket)
        assert allocated == len(plan.slots), algo.name
        values = sum(1 for node in plan.ir.nodes if node.type.kind.value != "scalar")
        assert allocated < values or allocated == values == 1, algo.name   # one value: one array


def test_index_dtype_is_part_of_the_plan_and_source():
    p32 = gj.compile_to_batch(gj.pagerank, index_dtype="int32")
    p64 = gj.compile_to_batch(gj.pagerank, index_dtype="int64")
    assert p32.plan_hash != p64.plan_hash
    assert "types.int64, 1" in generate_source(p64).header
