"""Pipelines: ``map`` over many graphs, ``sweep`` over parameters, streaming, errors, export."""

import io
import sys
import time

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import groggy_jit as gj
from groggy_jit.pipeline import Failure, progress_bar, settings
from groggy_jit.runtime import cache as cache_mod
from groggy_jit.runtime import notice


@pytest.fixture
def kernel_loads(monkeypatch):
    """How many times any algorithm asked the kernel cache for a kernel."""
    calls = []
    load = cache_mod.DEFAULT_CACHE.load

    def counted(source_text):
        calls.append(source_text)
        return load(source_text)
    monkeypatch.setattr(cache_mod.DEFAULT_CACHE, "load", counted)
    return calls


def fresh(algo):
    """The same algorithm as a new object: its own counters, no kernel loaded yet."""
    return gj.Algorithm.from_function(algo.__wrapped__, algo.name, weights=algo.weights)


def mixed_graphs(count, tmp_path):
    """Small graphs of mixed sizes, as Graphs, scipy matrices, networkx graphs and files."""
    rng = np.random.default_rng(7)
    graphs = []
    for i in range(count):
        n = int(rng.integers(2, 60))
        src, dst = rng.integers(0, n, size=(2, 3 * n))
        kind = i % 4
        if kind == 0:
            graphs.append(gj.Graph.from_edges(src, dst, num_nodes=n, directed=True))
        elif kind == 1:
            graphs.append(sp.csr_array((np.ones(len(src)), (src, dst)), shape=(n, n)))
        elif kind == 2:
            graphs.append(nx.gnm_random_graph(n, 2 * n, seed=i))
        else:
            path = tmp_path / f"g{i:03d}.txt"
            path.write_text("".join(f"{u} {v}\n" for u, v in zip(src, dst)))
            graphs.append(str(path))
    return graphs


def test_map_over_200_mixed_graphs_loads_one_kernel_and_matches_per_graph_calls(
        tmp_path, kernel_loads):
    algo = fresh(gj.degree_centrality)
    graphs = mixed_graphs(200, tmp_path)
    results = algo.map(graphs)
    assert len(kernel_loads) == 1 and algo.stats.compiles <= 1
    assert algo.stats.runs == 200 and not results.failures
    reference = fresh(gj.degree_centrality)             # per-graph calls on a second object
    for graph, result in zip(graphs, results):
        one = reference.run(gj.read_graph(graph) if isinstance(graph, str) else graph)
        np.testing.assert_array_equal(result.value, one.value)
    threaded = algo.map(graphs, threads=2)
    assert len(kernel_loads) == 2                       # the reference's one load; map: none more
    for a, b in zip(results, threaded):
        np.testing.assert_array_equal(a.value, b.value)


def test_a_configured_algorithm_maps_with_its_parameters():
    graphs = [nx.path_graph(4), nx.cycle_graph(5)]
    mapped = gj.degree_centrality().map(graphs)
    assert [r.labelled() for r in mapped] == [gj.degree_centrality(G) for G in graphs]
    assert np.all(mapped[1].value == 0.5)


def test_map_streams_in_order_without_a_list():
    graphs = (nx.path_graph(n) for n in range(2, 8))
    stream = gj.degree_centrality.map(graphs, stream=True)
    assert not isinstance(stream, list)
    assert [len(r.value) for r in stream] == list(range(2, 8))


def test_a_bad_graph_in_the_middle_with_skip_loses_no_other_result(tmp_path):
    bad = tmp_path / "broken.txt"
    bad.write_text("0 1\n1 x\n")
    graphs = [nx.path_graph(n) for n in range(2, 12)]
    inputs = graphs[:5] + [str(bad)] + graphs[5:]
    results = gj.degree_centrality.map(inputs, on_error="skip", threads=2)
    assert len(results) == 11
    assert [f.index for f in results.failures] == [5]
    assert "broken.txt" in str(results[5]) and "input 5" in str(results[5])
    good = [r for r in results if not isinstance(r, Failure)]
    for graph, result in zip(graphs, good):
        assert result.labelled() == gj.degree_centrality(graph)


def test_on_error_raise_names_the_input_and_keeps_what_was_computed():
    inputs = [nx.path_graph(3), nx.path_graph(4), "no/such/file.txt", nx.path_graph(5)]
    with pytest.raises(gj.PipelineError, match=r"input 2: no/such/file.txt: no such file") as e:
        gj.degree_centrality.map(inputs)
    assert [len(r.value) for r in e.value.results] == [3, 4]
    assert e.value.failure.index == 2


@pytest.mark.parametrize("bad, match", [({"on_error": "ignore"}, "on_error"),
                                        ({"threads": 0}, "threads"),
                                        ({"dampin": 0.5}, "did you mean 'damping'")])
def test_map_refuses_bad_options_before_running(bad, match):
    with pytest.raises(gj.GroggyJITError, match=match):
        list(gj.pagerank.map([nx.path_graph(3)], **bad))


def test_a_50_setting_sweep_compiles_nothing_after_the_first(kernel_loads):
    G = nx.karate_club_graph()
    algo = fresh(gj.pagerank)
    algo.run(G)
    loaded = len(kernel_loads)
    grid = {"damping": np.linspace(0.5, 0.95, 10).tolist(),
            "tol": [1e-4, 1e-6, 1e-8, 1e-10, 1e-12]}
    table = algo.sweep(G, **grid)
    assert len(kernel_loads) == loaded and algo.stats.runs == 51
    assert len(table) == 50 * G.number_of_nodes()
    assert list(table.columns) == ["damping", "tol", "node", "result", "iterations", "converged",
                                   "residual"]
    row = table[(table.damping == 0.95) & (table.tol == 1e-12)].set_index("node")["result"]
    expected = gj.pagerank(G, damping=0.95, tol=1e-12, on_nonconvergence="ignore")
    assert row.to_dict() == expected
    pairs = list(algo.sweep(G, grid=[{"damping": 0.6}, {"damping": 0.7, "max_iter": 3}],
                            stream=True))
    assert [s for s, _ in pairs] == [{"damping": 0.6}, {"damping": 0.7, "max_iter": 3}]
    assert pairs[1][1].iterations == 3


def test_sweep_settings_and_their_mistakes():
    assert settings({"a": [1, 2], "b": [3]}, {}) == [{"a": 1, "b": 3}, {"a": 2, "b": 3}]
    assert settings(None, {"a": (1,)}) == [{"a": 1}]
    with pytest.raises(gj.ParameterError, match="list of values"):
        settings(None, {"damping": 0.9})
    with pytest.raises(gj.ParameterError, match="not both"):
        settings({"a": [1]}, {"b": [2]})
    with pytest.raises(gj.ParameterError, match="must be a number"):
        gj.pagerank.sweep(nx.path_graph(3), damping=[0.5, "high"])


def test_sweep_without_pandas_returns_records(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    rows = gj.degree_centrality.sweep(nx.path_graph(3), grid=[{}])
    assert rows == [{"node": 0, "result": 0.5}, {"node": 1, "result": 1.0},
                    {"node": 2, "result": 0.5}]


def test_results_export_with_node_labels():
    G = nx.Graph([("a", "b"), ("b", "c")])
    result = gj.pagerank.run(G)
    assert result.to_dict() == {"result": gj.pagerank(G)}
    frame = result.to_frame()
    assert frame["node"].tolist() == ["a", "b", "c"]
    assert set(frame["iterations"]) == {result.iterations}
    text = result.to_csv()
    assert text.splitlines()[0] == "node,result,iterations,converged,residual"
    assert text.splitlines()[1].startswith("a,")
    edges = gj.jaccard.interpret(G)                   # the interpreter's Result: no compile
    assert edges.to_dict()["result"] == edges.labelled()
    assert {(r["source"], r["target"]) for r in edges.records()} == set(edges.labelled())
    count = gj.triangle_count.interpret(nx.complete_graph(4))
    assert count.records() == [{"result": 4}]


def test_to_frame_without_pandas_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(gj.MissingDependencyError, match="pip install pandas"):
        gj.degree_centrality.run(nx.path_graph(3)).to_frame()


def test_progress_is_off_off_a_terminal_unless_asked_for():
    assert progress_bar(10, "x", None) is None          # pytest's stderr is not a TTY
    assert progress_bar(10, "x", False) is None
    bar = progress_bar(10, "x", True)
    bar.update(10)
    bar.close()
    assert bar.n == 10


def test_a_slow_kernel_load_says_it_is_compiling(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(notice, "enabled", True)
    monkeypatch.setattr(notice, "DELAY_SECONDS", 0.01)
    with notice.compile_notice("pagerank"):            # a load slower than the delay
        for _ in range(200):
            if err.getvalue():
                break
            time.sleep(0.01)
    assert err.getvalue().startswith("compiling pagerank…, ") and err.getvalue().endswith(" s\n")
    quiet = io.StringIO()
    monkeypatch.setattr(sys, "stderr", quiet)
    monkeypatch.setattr(notice, "DELAY_SECONDS", 10)
    with notice.compile_notice("pagerank"):            # a quick load says nothing
        pass
    assert quiet.getvalue() == ""


def test_map_on_two_threads_gives_the_bits_of_one_thread():
    graphs = [nx.gnm_random_graph(n, 3 * n, seed=n, directed=True) for n in range(20, 60, 4)]
    one = gj.pagerank.map(graphs)
    two = gj.pagerank.map(graphs, threads=2)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a.value, b.value)
        assert a.iterations == b.iterations


def test_a_file_that_reads_but_cannot_run_is_named_by_its_path(tmp_path):
    directed = tmp_path / "arcs.txt"
    directed.write_text("0 1\n1 2\n")
    results = gj.triangles.map([nx.complete_graph(3), str(directed)], on_error="skip")
    assert results[0].value.tolist() == [1, 1, 1]
    assert results[1].source == str(directed) and "undirected" in str(results[1].error)
