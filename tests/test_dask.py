"""groggy_jit.dask: many graphs over a LocalCluster of two spawned worker processes.

One cluster serves every test of this module (starting one costs seconds); its workers
share the test run's kernel cache, so kernels other tests compiled are loaded, not rebuilt.
"""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import groggy_jit as gj
from groggy_jit.errors import ParameterError, PipelineError
from groggy_jit.pipeline import Failure

pytest.importorskip("distributed")
from groggy_jit.dask import local_client, map_graphs  # noqa: E402

WORKERS = 2


@pytest.fixture(scope="module")
def client(cache_dir):
    client = local_client(WORKERS, cache_dir=cache_dir, dashboard=False)
    yield client
    cluster = client.cluster
    client.close()
    cluster.close()


def small_graphs(count, tmp_path):
    """Graphs of mixed sizes and kinds: Graphs, scipy matrices, networkx graphs and files."""
    rng = np.random.default_rng(3)
    graphs = []
    for i in range(count):
        n = int(rng.integers(2, 50))
        src, dst = rng.integers(0, n, size=(2, 3 * n))
        kind = i % 4
        if kind == 0:
            graphs.append(gj.Graph.from_edges(src, dst, num_nodes=n, directed=True))
        elif kind == 1:
            graphs.append(sp.csr_array((np.ones(len(src)), (src, dst)), shape=(n, n)))
        elif kind == 2:
            graphs.append(nx.gnm_random_graph(n, 2 * n, seed=i))
        else:
            path = tmp_path / f"g{i:02d}.txt"
            path.write_text("".join(f"{u} {v}\n" for u, v in zip(src, dst)))
            graphs.append(str(path))
    return graphs


def test_map_graphs_matches_single_process_runs_and_compiles_once_between_workers(
        client, tmp_path):
    graphs = small_graphs(50, tmp_path)
    mapped = map_graphs(gj.pagerank, graphs, client, damping=0.9, tol=1e-10)
    assert len(mapped) == 50
    results = mapped.compute()
    assert len(results) == 50 and not results.failures
    for given, result in zip(graphs, results):
        expected = gj.pagerank.run(gj.read_graph(given) if isinstance(given, str) else given,
                                   damping=0.9, tol=1e-10)
        np.testing.assert_allclose(result.value, expected.value, rtol=0, atol=1e-12)
        assert result.iterations == expected.iterations
        assert result.graph.num_nodes == len(expected.value)
    # one int32 kernel, warmed on each worker before the map: compiled by at most one
    # of them (none if an earlier test compiled it), the other loaded its machine code
    assert mapped.origins["compile"] <= 1
    assert mapped.origins["compile"] + mapped.origins["disk"] == WORKERS
    assert sum(mapped.origins.values()) == WORKERS + 50
    labelled = results[2].labelled()                # networkx input: labels come back
    assert labelled == pytest.approx(gj.pagerank(graphs[2], damping=0.9, tol=1e-10), abs=1e-12)


def test_map_graphs_takes_a_configured_algorithm_and_node_parameters(client):
    path = nx.path_graph(5)
    results = map_graphs(gj.pagerank(damping=0.8), [path], client).compute()
    np.testing.assert_allclose(results[0].value, gj.pagerank.run(path, damping=0.8).value,
                               atol=1e-12)
    # a node parameter given by label is resolved on the worker, graph by graph
    words, others = nx.path_graph(["a", "b", "c"]), nx.path_graph(["x", "y"])
    results = map_graphs(gj.bfs, [words, others], client, source="b",
                         on_error="skip").compute()
    assert results[0].labelled()["depth"] == {"a": 1, "b": 0, "c": 1}
    assert "source='b' is not a node" in results[1].message


def test_bad_inputs_are_reported_in_place_or_raise(client, tmp_path):
    good = gj.Graph.from_edges([0, 1], [1, 2], num_nodes=3)
    missing = str(tmp_path / "missing.txt")
    results = map_graphs(gj.pagerank, [good, missing, good], client, on_error="skip").compute()
    assert isinstance(results[1], Failure) and results[1].index == 1
    assert "missing.txt" in results[1].message
    assert [type(r).__name__ for r in results] == ["Result", "Failure", "Result"]
    with pytest.raises(PipelineError, match="missing.txt") as caught:
        map_graphs(gj.pagerank, [good, missing, good], client).compute()
    assert len(caught.value.results) == 1           # what ran before the failure is kept
    with pytest.raises(ParameterError, match="damping"):
        map_graphs(gj.pagerank, [good], client, dampin=0.9)
    with pytest.raises(ParameterError, match="on_error"):
        map_graphs(gj.pagerank, [good], client, on_error="ignore")
