"""Frontier rounds: push from a sparse list and pull into every node give the same bits.

Random frontier programs run as plain Python source (no Numba) in every schedule
against the interpreter; the traversals of the catalogue run compiled, in every
schedule, against networkx, with the kernels the catalogue tests compile anyway.
"""

from __future__ import annotations

import itertools
import random

import networkx as nx
import numpy as np
import pytest

import groggy_jit as gj
from groggy_jit.codegen.abi import unpack_results
from groggy_jit.codegen.emit import generate_source
from groggy_jit.codegen.python_mode import load_python
from groggy_jit.dsl.trace import NodeId
from groggy_jit.errors import ParameterError
from groggy_jit.runtime.executor import kernel_args
from groggy_jit.runtime.params import bind
from graphs import families, node_index

SCHEDULES = ("auto", "push", "pull")


# --- random frontier programs ------------------------------------------------------------

def frontier_program(reduce: str, over: str, values: str, at: str, weighted: bool, start: int,
                     bucket: bool = False):
    """A frontier loop: a masked pull, a test of its result that is false for the pull's
    identity, and updates only where the new frontier holds. ``bucket``: the pull reads
    only the frontier nodes near its lowest value (delta-stepping's shape), so reductions
    over the frontier and a narrowed mask ride on the frontier's list."""
    valid = {"min": lambda p, sG: p < sG.N, "max": lambda p, sG: p >= 0,
             "argmin": lambda p, sG: p >= 0, "argmax": lambda p, sG: p >= 0,
             "count": lambda p, sG: p > 0, "sum": lambda p, sG: p > 0}

    def program(sG, source: NodeId = 0):
        index = sG.nodes(unique=True)
        frontier = (index % 5) == (index * 0 + source + start) % 5
        label = frontier.where(index * 3 % 7, -1)
        best = frontier.where(0.0, float("inf"))
        level = sG.N * 0
        top = frontier.where(best, -float("inf")).reduce("max")
        with sG.while_any(frontier, max_iter=sG.N + 1):
            level = level + 1
            # share: float sums whose bits depend on the order they are added in
            x = {"index": index, "label": label, "flag": label >= 0,
                 "share": 1.0 / (index + 3.0)}[values]
            todo = {"none": None, "unlabelled": label < 0,
                    "cone": (label < 0) & (index % 3 != 1)}[at]
            if reduce == "any":
                reached = sG.pull(frontier, over=over, reduce="any", at=todo)
                frontier = reached & (label < 0)
                label = frontier.where(level, label)
            elif bucket:
                lowest = frontier.where(best, float("inf")).reduce("min")
                count = frontier.where(1, 0).reduce("sum")
                near = best < lowest + (count % 3 + 1)
                candidate = sG.pull(best, over=over, reduce=reduce, weight="weight",
                                    mask=frontier & near, at=todo)
                improved = candidate < best
                best = improved.where(candidate, best)
                frontier = (frontier & ~near) | improved
            elif weighted:
                candidate = sG.pull(best, over=over, reduce=reduce, weight="weight",
                                    mask=frontier, at=todo)
                frontier = candidate < best
                best = frontier.where(candidate, best)
            elif values == "share":
                p = sG.pull(x, over=over, reduce=reduce, mask=frontier, at=todo)
                frontier = (label < 0) & (p > 0)
                label = frontier.where(level, label)
                # a carried scalar from a reduction over the new frontier (betweenness's
                # scaled path counts): set at the round's end in either direction
                best = frontier.where(p * (top > 0.3).where(0.5, 1.0), best)
                top = frontier.where(best, -float("inf")).reduce("max")
            else:
                p = sG.pull(x, over=over, reduce=reduce, mask=frontier, at=todo)
                frontier = (label < 0) & valid[reduce](p, sG)
                label = frontier.where(p % 11 + level, label)
        return {"label": label, "best": best, "rounds": level}
    name = f"frontier_{reduce}_{over}_{values}_{at}_{int(weighted)}_{start}_{int(bucket)}"
    return gj.algorithm(name)(program)


def programs():
    """A fixed, varied sample of frontier programs (every one has a frontier round)."""
    out = []
    choices = itertools.product(["min", "max", "argmin", "argmax", "count", "any", "sum"],
                                ["in", "out"], ["index", "label", "flag"],
                                ["none", "unlabelled", "cone"])
    for k, (reduce, over, values, at) in enumerate(choices):
        if k % 5 or (values == "flag") != (reduce in ("count", "any")):
            continue
        out.append(frontier_program(reduce, over, values, at, False, k % 3))
    for over, at in itertools.product(["in", "out"], ["none", "unlabelled"]):
        out.append(frontier_program("min", over, "index", at, True, 1))
        out.append(frontier_program("sum", over, "share", at, False, 2))    # a sorted push
        out.append(frontier_program("min", over, "index", at, True, 0, bucket=True))
    return out


def small_graphs() -> list[gj.Graph]:
    rng = np.random.default_rng(4)
    graphs = [gj.Graph.from_edges([], [], num_nodes=1, directed=True),
              gj.Graph.from_edges([0, 1, 2, 2, 3, 3], [1, 2, 0, 2, 3, 1], num_nodes=6,
                                  weights=[1.0, 2.0, 0.5, 3.0, 1.0, 4.0], directed=True)]
    for n, m, directed in [(30, 60, True), (40, 50, False), (25, 90, True)]:
        src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
        graphs.append(gj.Graph.from_edges(src, dst, num_nodes=n, directed=directed,
                                          weights=rng.integers(1, 9, m).astype(float)))
    graphs.append(gj.Graph.from_networkx(nx.convert_node_labels_to_integers(
        nx.grid_2d_graph(5, 8))))
    return graphs


def test_every_sample_program_has_a_frontier_round():
    for algo in programs():
        assert gj.compile_to_batch(algo).frontiers, algo.name


@pytest.mark.parametrize("parallel_push", [False, True])
def test_random_frontier_programs_agree_in_every_schedule(parallel_push, monkeypatch):
    """Generated source (plain Python) in push, pull and auto against the interpreter;
    with ``parallel_push`` every push takes the two-phase parallel path."""
    if parallel_push:
        monkeypatch.setattr("groggy_jit.codegen.frontier.PUSH_SERIAL_ARCS", 0)
    graphs = small_graphs()
    for algo in programs():
        plan = gj.compile_to_batch(algo)
        source_text = generate_source(plan)
        assert ("_arcs_0 < 0:" in str(source_text)) is parallel_push
        kernel = load_python(source_text)
        for graph, source in itertools.product(graphs, (0, 2)):
            if source >= graph.num_nodes:
                continue
            want = algo.interpret(graph, source=source).values
            bound = bind(plan.ir.params, {"source": source}, graph)
            for schedule in SCHEDULES:
                raw = kernel(*kernel_args(graph, bound, plan.uses_weights, schedule=schedule))
                for k, (name, _) in enumerate(plan.outputs):
                    np.testing.assert_array_equal(raw[k], want[name],
                                                  err_msg=f"{algo.name} {schedule} {name}")
                _, info, _ = unpack_results((), raw)
                assert info[0, 0] == info[0, 2] + info[0, 3], "every round has a direction"
                if schedule != "auto":
                    forced = 2 if schedule == "push" else 3
                    assert info[0, forced] == info[0, 0], f"{schedule} ran the other way"


def test_a_compiled_frontier_program_agrees_forced_push_and_pull():
    """One random-shaped program through Numba: argmin ties, an ``at`` cone, in-arcs."""
    algo = frontier_program("argmin", "out", "label", "cone", False, 2)
    for graph in small_graphs():
        want = algo.interpret(graph, source=0).values
        for schedule in SCHEDULES:
            got = algo.run(graph, source=0, schedule=schedule).values
            for name in want:
                np.testing.assert_array_equal(got[name], want[name], err_msg=schedule)


def test_a_pulled_round_reads_the_frontier_as_bits():
    """n/8 bytes of mask: the bitmap is built from the mask each pulled round, and a graph
    whose last word is partial (130 nodes) gives networkx's depths in every schedule."""
    source = generate_source(gj.compile_to_batch(gj.bfs)).function
    assert "bit(frontier_bits_0, in_indices[k])" in source
    G = nx.convert_node_labels_to_integers(nx.gnp_random_graph(130, 0.04, seed=8, directed=True))
    want = nx.single_source_shortest_path_length(G, 0)
    for schedule in ("pull", "auto", "push"):
        depth = gj.bfs.run(G, source=0, schedule=schedule).values["depth"]
        assert depth.tolist() == [want.get(v, -1) for v in range(130)], schedule


def test_a_program_outside_the_shape_stays_dense():
    @gj.algorithm("dense_spread")
    def spread(sG):
        frontier = sG.nodes(unique=True) == 0
        seen = frontier | False
        with sG.while_any(frontier):
            reached = sG.pull(seen, reduce="any")          # reads every node, not a mask
            frontier = reached & ~seen
            seen = seen | reached
        return seen
    plan = gj.compile_to_batch(spread)
    assert not plan.frontiers
    assert "frontier-driven" not in str(plan)



# --- bucketed rounds: only the nodes whose key equals a loop scalar change ----------------

def bucket_program(reduce: str, over: str, offset: int):
    """A sweep over the values of a key the loop never writes (Brandes' backward sweep's
    shape): each round changes the nodes with key ``level`` from a pull of the nodes
    with key ``level + offset``, through values computed in the round before it."""
    def program(sG):
        index = sG.nodes(unique=True)
        key = index * 7 % 5 - 1                        # -1 .. 3, a value no round reaches
        value = 1.0 / (index + 2.0)
        level = sG.N * 0 + 4
        with sG.iterate(6):
            level = level - 1
            offered = value * 3.0 + (index % 2)
            got = sG.pull(offered, over=over, reduce=reduce, mask=key == level + offset)
            value = (key == level).where(value + got, value)
        return value
    return gj.algorithm(f"bucket_{reduce}_{over}_{offset}")(program)


def test_bucketed_programs_agree_in_every_schedule():
    """Generated source (plain Python) in push (bucketed), pull and auto against the
    interpreter, to the bit: a bucket node sums its arcs in CSR order, as a dense pull."""
    graphs = small_graphs()
    for algo in [bucket_program("sum", "out", 1), bucket_program("min", "in", -1),
                 bucket_program("sum", "in", 0)]:
        plan = gj.compile_to_batch(algo)
        assert plan.bucket_list and "bucketed by" in str(plan), algo.name
        kernel = load_python(generate_source(plan))
        for graph in graphs:
            want = algo.interpret(graph).value
            for schedule in SCHEDULES:
                raw = kernel(*kernel_args(graph, bind(plan.ir.params, {}, graph),
                                          plan.uses_weights, schedule=schedule))
                np.testing.assert_array_equal(raw[0], want, err_msg=f"{algo.name} {schedule}")
                _, info, _ = unpack_results((), raw)
                assert info[0, 0] == info[0, 2] + info[0, 3] == 6
                if schedule != "auto":
                    assert info[0, 2 if schedule == "push" else 3] == 6, schedule


def test_a_key_the_loop_writes_is_not_bucketed():
    @gj.algorithm("moving_key")
    def moving(sG):
        key = sG.nodes(unique=True) % 3
        value = sG.nodes(1.0)
        level = sG.N * 0
        with sG.iterate(3):
            level = level + 1
            got = sG.pull(value, reduce="sum", mask=key == level)
            value = (key == level).where(got, value)
            key = key + 1                              # the key moves: no fixed buckets
        return value
    assert not gj.compile_to_batch(moving).bucket_list

# --- the catalogue's traversals, compiled ------------------------------------------------

TRAVERSAL_FAMILIES = {"directed_dangling", "undirected_gnp", "disconnected_isolated",
                      "path", "grid_tuples", "self_loops_directed"}


def _weighted(G):
    rng = np.random.default_rng(7)
    for u, v in G.edges():
        G[u][v]["weight"] = float(rng.integers(1, 20))
    return G


@pytest.mark.parametrize("name,G", [f for f in families() if f[0] in TRAVERSAL_FAMILIES],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_traversals_match_networkx_in_every_schedule(name, G):
    index = node_index(G)
    source = next(iter(G))
    depth = nx.single_source_shortest_path_length(G, source)
    G = _weighted(G)
    dist = nx.single_source_dijkstra_path_length(G, source)
    graph = gj.Graph.from_networkx(G, weight="weight")
    want_dist = np.full(len(G), np.inf)
    for v, d in dist.items():
        want_dist[index[v]] = d
    want_depth = np.full(len(G), -1)
    for v, d in depth.items():
        want_depth[index[v]] = d
    closeness = gj.closeness_centrality.interpret(graph).value
    # betweenness from networkx's own sample: its path counts are float sums, pushed
    k = min(3, len(G))
    sources = np.zeros(len(G), bool)
    sources[[index[v] for v in random.Random(1).sample(list(G), k)]] = True
    between = nx.betweenness_centrality(G, k=k, seed=1)
    want_between = np.array([between[v] for v in sorted(G, key=index.get)])
    pulled_between = gj.betweenness_centrality.run(graph, sources=sources, schedule="pull").value
    np.testing.assert_allclose(pulled_between, want_between, atol=1e-12, equal_nan=True)
    for schedule in SCHEDULES:
        out = gj.bfs.run(graph, source=source, schedule=schedule).value
        np.testing.assert_array_equal(out["depth"], want_depth, err_msg=schedule)
        for algo in (gj.sssp, gj.sssp_delta):
            got = algo.run(graph, source=source, schedule=schedule).value
            np.testing.assert_array_equal(got, want_dist, err_msg=f"{algo.name} {schedule}")
        got = gj.closeness_centrality.run(graph, schedule=schedule).value
        np.testing.assert_array_equal(got, closeness, err_msg=f"closeness {schedule}")
        got = gj.betweenness_centrality.run(graph, sources=sources, schedule=schedule).value
        np.testing.assert_array_equal(got, pulled_between, err_msg=f"betweenness {schedule}")


def test_schedules_never_recompile_and_report_directions():
    graph = gj.Graph.from_networkx(nx.path_graph(40))
    gj.bfs.run(graph, source=0)
    compiles = gj.bfs.stats.compiles
    pushed = gj.bfs.run(graph, source=0, schedule="push")
    pulled = gj.bfs.run(graph, source=0, schedule="pull")
    auto = gj.bfs.run(graph, source=0)
    assert gj.bfs.stats.compiles == compiles
    assert pushed.directions == [{"push": 40, "pull": 0}]
    assert pulled.directions == [{"push": 0, "pull": 40}]
    # the loop lists its first frontier, then a path's frontier is one node every round
    assert auto.directions == [{"push": 40, "pull": 0}]
    for a, b in [(pushed, pulled), (pushed, auto)]:
        np.testing.assert_array_equal(a.value["parent"], b.value["parent"])


def test_bad_schedule_names_the_choices():
    with pytest.raises(ParameterError, match="schedule='sideways'.*'auto', 'push', 'pull'"):
        gj.bfs.interpret(gj.Graph.from_networkx(nx.path_graph(3)), schedule="sideways")


def test_plan_shows_frontier_loops():
    text = str(gj.bfs.plan)
    assert "frontier-driven by frontier" in text and "schedule auto|push|pull" in text


def test_the_groups_before_a_bucketed_pull_ride_on_the_frontier_list():
    """Reductions over the frontier run over its list, the narrowed mask is computed by
    the push, so a round of delta-stepping costs its pending nodes, not n."""
    for algo in [gj.sssp_delta, frontier_program("min", "in", "index", "none", True, 0, True)]:
        text = str(gj.compile_to_batch(algo))
        assert text.count("list: run over its list") == 1, text
        assert text.count("list: not stored: the push computes these") == 1, text
        assert "(the nodes of it in " in text, text


def test_a_later_read_of_the_frontier_sees_this_rounds_value():
    """A step after the frontier group reads the old frontier: every schedule agrees."""
    @gj.algorithm("frontier_read_later")
    def read_later(sG, source: NodeId = 0):
        index = sG.nodes(unique=True)
        frontier = index == source
        depth = frontier.where(0, -1)
        around = frontier.where(0, 0)
        level = sG.N * 0
        with sG.while_any(frontier):
            level = level + 1
            nearest = sG.pull(index, reduce="min", mask=frontier, at=depth < 0)
            old = frontier
            frontier = (depth < 0) & (nearest < sG.N)
            depth = frontier.where(level, depth)
            size = frontier.where(1, 0).reduce("sum")   # known once the group has run
            around = around + old.where(size, 0)         # so the old frontier is read after
        return {"depth": depth, "around": around}
    plan = gj.compile_to_batch(read_later)
    kernel = load_python(generate_source(plan))
    for graph in small_graphs():
        want = read_later.interpret(graph).values
        bound = bind(plan.ir.params, {"source": 0}, graph)
        for schedule in SCHEDULES:
            raw = kernel(*kernel_args(graph, bound, plan.uses_weights, schedule=schedule))
            for k, (name, _) in enumerate(plan.outputs):
                np.testing.assert_array_equal(raw[k], want[name], err_msg=f"{schedule} {name}")


@pytest.mark.parametrize("directed", [False, True])
def test_parallel_pushes_agree_with_networkx_and_the_pull(directed):
    # frontiers with more arcs than PUSH_SERIAL_ARCS: a forced push collects its offers
    # in parallel chunks, then applies them in list order
    from groggy_jit.codegen.frontier import PUSH_SERIAL_ARCS

    G = nx.gnm_random_graph(3000, 60000 if directed else 36000, seed=7, directed=directed)
    rng = random.Random(3)
    for u, v in G.edges:
        G.edges[u, v]["weight"] = float(rng.randint(1, 40))
    source = 0
    levels = list(nx.bfs_layers(G, [source]))
    assert max(sum(G.out_degree(u) if directed else G.degree(u) for u in level)
               for level in levels) >= PUSH_SERIAL_ARCS          # the parallel path runs
    index = node_index(G)
    graph = gj.Graph.from_networkx(G, weight="weight")
    want_depth = np.full(len(G), -1)
    for v, d in nx.single_source_shortest_path_length(G, source).items():
        want_depth[index[v]] = d
    want_dist = np.full(len(G), np.inf)
    for v, d in nx.single_source_dijkstra_path_length(G, source).items():
        want_dist[index[v]] = d
    sources = np.zeros(len(G), bool)
    sources[[0, 17, 1234]] = True
    between = gj.betweenness_centrality.run(graph, sources=sources, schedule="pull").value
    for schedule in SCHEDULES:
        out = gj.bfs.run(graph, source=source, schedule=schedule).value
        np.testing.assert_array_equal(out["depth"], want_depth, err_msg=schedule)
        pulled = gj.bfs.run(graph, source=source, schedule="pull").value
        np.testing.assert_array_equal(out["parent"], pulled["parent"], err_msg=schedule)
        for algo in (gj.sssp, gj.sssp_delta):
            got = algo.run(graph, source=source, schedule=schedule, **(
                {"delta": 8.0} if algo is gj.sssp_delta else {})).value
            np.testing.assert_array_equal(got, want_dist, err_msg=f"{algo.name} {schedule}")
        got = gj.betweenness_centrality.run(graph, sources=sources, schedule=schedule).value
        np.testing.assert_array_equal(got, between, err_msg=f"betweenness {schedule}")


def test_an_ordered_frontier_agrees_with_dijkstra_for_every_bucket_width():
    """sssp_delta keeps its pending nodes in buckets of dist (plan/ordered.py): generated
    source in plain Python, every schedule, bucket widths from far too many buckets (they
    are dropped: the plain list takes over) to a single one, against the interpreter."""
    plan = gj.sssp_delta.plan_for(weighted=True)
    (frontier,) = plan.frontiers.values()
    assert plan.ordered_of(frontier) is not None and "ordered: the list kept in buckets" in str(plan)
    assert all(gj.bfs.plan.ordered_of(f) is None for f in gj.bfs.plan.frontiers.values())
    kernel = load_python(generate_source(plan))
    rng = np.random.default_rng(0)
    graphs = small_graphs()
    for n, m, directed in [(200, 600, False), (300, 2000, True)]:
        src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
        graphs.append(gj.Graph.from_edges(src, dst, num_nodes=n, directed=directed,
                                          weights=rng.integers(1, 50, m).astype(float)))
    for graph, delta in itertools.product(graphs, (1e-6, 0.5, 3.0, 16.0, np.inf)):
        want = gj.sssp.interpret(graph, source=0).value
        bound = bind(plan.ir.params, {"source": 0, "delta": delta}, graph)
        for schedule in SCHEDULES:
            raw = kernel(*kernel_args(graph, bound, plan.uses_weights, schedule=schedule))
            np.testing.assert_array_equal(raw[0], want, err_msg=f"delta {delta} {schedule}")


def test_an_ordered_frontier_grows_its_pool_when_more_entries_wait_than_it_holds(monkeypatch):
    """The pool holds max(1024, n) entries and reuses the ones a bucket's reading frees.
    Here every node is filed far away, then again nearer before the far buckets are read,
    so twice n entries wait at once: the pool must grow, and the answer stays the
    interpreter's in every schedule."""
    from groggy_jit.codegen import python_mode
    pool_growths = []

    def grown(a, size, fill):
        if fill == 0:                    # the pool's arrays (the bucket heads fill -1)
            pool_growths.append(size)
        out = np.full(size, fill, a.dtype)
        out[:a.shape[0]] = a
        return out
    monkeypatch.setattr(python_mode, "HELPERS",
                        [grown if f.__name__ == "grown" else f for f in python_mode.HELPERS])
    n = 1100
    far = np.arange(2, n)
    src = np.concatenate([[0], np.zeros(far.size, np.int64), np.ones(far.size, np.int64)])
    dst = np.concatenate([[1], far, far])
    weights = np.concatenate([[1.0], 1000.0 + far, np.full(far.size, 500.0)])
    graph = gj.Graph.from_edges(src, dst, num_nodes=n, directed=True, weights=weights)
    plan = gj.sssp_delta.plan_for(weighted=True)
    kernel = load_python(generate_source(plan))
    want = gj.sssp.interpret(graph, source=0).value
    bound = bind(plan.ir.params, {"source": 0, "delta": 1.0}, graph)
    for schedule in SCHEDULES:
        raw = kernel(*kernel_args(graph, bound, plan.uses_weights, schedule=schedule))
        np.testing.assert_array_equal(raw[0], want, err_msg=schedule)
    assert pool_growths and min(pool_growths) >= 2 * n


def test_an_ordered_frontier_rebuilt_after_a_pulled_round():
    """Pushed rounds free pool entries, a pulled round drops the buckets, and the next
    pushed round builds them again from an empty pool (the free list starts over): ten
    nodes wait there at once, each in its own bucket, and each must be relaxed."""
    hubs, waiting = np.arange(5, 505), np.arange(505, 515)
    chains = np.arange(515, 565).reshape(10, 5)
    edges = ([(0, 1, 1.0), (0, 2, 1.0), (1, 3, 1.0), (2, 3, 1.0)] + [(3, h, 1.0) for h in hubs]
             + [(h, v, 1.0 + 10 * j) for h in hubs for j, v in enumerate(waiting)]
             + [(v, chain[0], 1.0) for v, chain in zip(waiting, chains)]
             + [(a, b, 1.0) for chain in chains for a, b in zip(chain, chain[1:])])
    src, dst, weights = (np.array(column) for column in zip(*edges))
    graph = gj.Graph.from_edges(src, dst, num_nodes=565, directed=True, weights=weights)
    plan = gj.sssp_delta.plan_for(weighted=True)
    kernel = load_python(generate_source(plan))
    bound = bind(plan.ir.params, {"source": 0, "delta": 1.0}, graph)
    raw = kernel(*kernel_args(graph, bound, plan.uses_weights, schedule="auto"))
    np.testing.assert_array_equal(raw[0], gj.sssp.interpret(graph, source=0).value)
    pushed, pulled = raw[1][0, 2], raw[1][0, 3]
    assert pushed > 2 and pulled > 0, (pushed, pulled)


@pytest.mark.parametrize("narrowing", [False, True])
def test_an_ordered_frontier_with_integer_keys_and_a_sliding_bound(narrowing):
    """The ordered shape with int64 keys and a bound not on a bucket edge (lowest + 3):
    plain Python source in every schedule against the interpreter. ``narrowing``: the
    buckets are 3 wide, the later bounds lowest + 1, and the hops of odd nodes count 2,
    so some nodes of the lowest bucket wait (filed again) while the others push."""
    @gj.algorithm(f"hops_below_{int(narrowing)}")
    def hops_below(sG, source: NodeId = 0):
        index = sG.nodes(unique=True)
        pending = index == source
        hops = pending.where(0, 10**9)
        step = 1 + index % 2 if narrowing else 1
        with sG.while_any(pending):
            lowest = pending.where(hops, 2**63 - 1).reduce("min")
            bound = lowest + 1 + 2 // (lowest * 3 + 1) if narrowing else lowest + 3
            near = hops < bound
            offer = sG.pull(hops + step, over="in", reduce="min", mask=pending & near)
            improved = offer < hops
            hops = improved.where(offer, hops)
            pending = (pending & ~near) | improved
        return hops

    plan = gj.compile_to_batch(hops_below)
    (frontier,) = plan.frontiers.values()
    assert plan.ordered_of(frontier) is not None
    kernel = load_python(generate_source(plan))
    for graph, source in itertools.product(small_graphs(), (0, 2)):
        if source >= graph.num_nodes:
            continue
        want = hops_below.interpret(graph, source=source).value
        bound = bind(plan.ir.params, {"source": source}, graph)
        for schedule in SCHEDULES:
            raw = kernel(*kernel_args(graph, bound, plan.uses_weights, schedule=schedule))
            np.testing.assert_array_equal(raw[0], want, err_msg=schedule)


def relaxation_program(reduce: str, test: str):
    """``best = (candidate < best).where(candidate, best)`` and its kin, from a start with a
    NaN at some nodes: a NaN offer propagates through the pull, and the push keeps it."""
    @gj.algorithm(f"relax_{reduce}_{test}")
    def relax(sG, source: NodeId = 0):
        index = sG.nodes(unique=True)
        frontier = index == source
        far = float("inf") if reduce == "min" else -float("inf")
        best = (index % 7 == 3).where(float("nan"), frontier.where(0.0, far))
        with sG.while_any(frontier, max_iter=sG.N + 1):
            candidate = sG.pull(best, over="in", reduce=reduce, weight="weight", mask=frontier)
            improved = {"lt": candidate < best, "gt": candidate > best,
                        "swapped": best > candidate, "other": candidate < best}[test]
            best = improved.where(candidate, best)
            # "other": the pull's value read once more, which the push cannot know about
            frontier = improved & (candidate != 1.5) if test == "other" else improved
        return best
    return relax


@pytest.mark.parametrize("parallel_push", [False, True])
def test_a_push_drops_only_the_offers_that_cannot_improve(parallel_push, monkeypatch):
    """A min (max) pull read only as ``candidate < best`` (``>``) lets the push drop the
    offers that cannot beat ``best``; NaN offers are kept, and any other read of the
    pull's value keeps every offer. Plain Python source in every schedule against the
    interpreter."""
    if parallel_push:
        monkeypatch.setattr("groggy_jit.codegen.frontier.PUSH_SERIAL_ARCS", 0)
    cases = [("min", "lt", True), ("min", "swapped", True), ("max", "gt", True),
             ("min", "other", False)]
    for reduce, test, pruned in cases:
        algo = relaxation_program(reduce, test)
        plan = gj.compile_to_batch(algo)
        (frontier,) = plan.frontiers.values()
        assert (frontier.improves_on is not None) is pruned, (reduce, test)
        assert ("drops the offers that cannot beat" in str(plan)) is pruned
        kernel = load_python(generate_source(plan))
        for graph, source in itertools.product(small_graphs(), (0, 3)):
            if source >= graph.num_nodes:
                continue
            # max-plus grows round after round on a cycle: the loop stops at its limit
            want = algo.interpret(graph, source=source, on_nonconvergence="ignore").value
            bound = bind(plan.ir.params, {"source": source}, graph)
            for schedule in SCHEDULES:
                raw = kernel(*kernel_args(graph, bound, plan.uses_weights, schedule=schedule))
                np.testing.assert_array_equal(raw[0], want, err_msg=f"{reduce} {test} {schedule}")
    assert gj.sssp_delta.plan_for(weighted=True).frontiers and all(
        f.improves_on is not None for f in gj.sssp_delta.plan_for(weighted=True).frontiers.values())
