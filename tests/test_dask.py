"""groggy_jit.dask: many graphs over a LocalCluster of two spawned worker processes.

One cluster serves every test of this module (starting one costs seconds); its workers
share the test run's kernel cache, so kernels other tests compiled are loaded, not rebuilt.
"""

import networkx as nx
import numpy as np
import pytest

import groggy_jit as gj
from groggy_jit.errors import ParameterError, PartitionError, PipelineError
from groggy_jit.pipeline import Failure
from test_pipeline import mixed_graphs

pytest.importorskip("distributed")
from groggy_jit.dask import (local_client, map_graphs, run_partitioned,  # noqa: E402
                             write_partitions)

WORKERS = 2


@pytest.fixture(scope="module")
def cluster_client(cache_dir):
    client = local_client(WORKERS, cache_dir=cache_dir, dashboard=False)
    yield client
    cluster = client.cluster
    client.close()
    cluster.close()


@pytest.fixture
def client(cluster_client):
    # On a starved machine a worker can miss its heartbeats and be restarted by its nanny:
    # each test starts with the whole cluster back.
    cluster_client.wait_for_workers(WORKERS, timeout=120)
    return cluster_client


def test_map_graphs_matches_single_process_runs_and_compiles_once_between_workers(
        client, tmp_path):
    graphs = mixed_graphs(50, tmp_path)
    # some small graphs are periodic: their PageRank stops at max_iter, which is fine here
    mapped = map_graphs(gj.pagerank, graphs, client, damping=0.9, tol=1e-10,
                        on_nonconvergence="ignore")
    assert len(mapped) == 50
    results = mapped.compute()
    assert len(results) == 50 and not results.failures
    for given, result in zip(graphs, results):
        expected = gj.pagerank.run(gj.read_graph(given) if isinstance(given, str) else given,
                                   damping=0.9, tol=1e-10, on_nonconvergence="ignore")
        np.testing.assert_allclose(result.value, expected.value, rtol=0, atol=1e-12)
        assert result.iterations == expected.iterations
        assert result.graph.num_nodes == len(expected.value)
    # one int32 kernel, warmed on each worker before the map: compiled by at most one
    # of them (none if an earlier test compiled it), the other loaded its machine code;
    # the scipy inputs' summed duplicate entries are weights: a second (weighted) kernel,
    # compiled at most once as well
    assert mapped.origins["compile"] <= 2
    assert WORKERS <= mapped.origins["compile"] + mapped.origins["disk"] <= 2 * WORKERS
    assert sum(mapped.origins.values()) == WORKERS + 50
    labelled = results[2].labelled()                # networkx input: labels come back
    expected = gj.pagerank.run(graphs[2], damping=0.9, tol=1e-10, on_nonconvergence="ignore")
    assert labelled == pytest.approx(expected.labelled(), abs=1e-12)


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


def test_progress_bar_counts_the_graphs(client, capsys):
    graphs = [gj.Graph.from_edges([0, 1], [1, 2], num_nodes=3)] * 3
    map_graphs(gj.pagerank, graphs, client, progress=True).compute()
    assert "3/3" in capsys.readouterr().err


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


# --- one graph split across workers -----------------------------------------------------

def _partition_graphs():
    undirected = gj.Graph(nx.gnm_random_graph(120, 200, seed=5))      # several components
    directed = nx.gnp_random_graph(100, 0.04, directed=True, seed=6)
    directed.remove_edges_from(list(directed.out_edges(7)))          # a dangling node
    return undirected, gj.Graph(directed)


@pytest.mark.parametrize("partitions", [2, 4])
def test_partitioned_runs_match_the_single_machine_kernel(client, partitions):
    undirected, directed = _partition_graphs()
    for graph in (undirected, directed):
        expected = gj.pagerank.run(graph)
        got = run_partitioned(gj.pagerank, graph, client, partitions=partitions)
        assert np.abs(got.value - expected.value).sum() < 1e-12
        assert (got.iterations, got.converged) == (expected.iterations, expected.converged)
        assert got.residual == pytest.approx(expected.residual, rel=1e-9, abs=1e-15)
        assert got.partitions == partitions and got.bytes_per_round > 0
        assert got.phases_per_round == 2       # the pull waits for contributions and sink mass
    labels = run_partitioned(gj.connected_components, undirected, client, partitions=partitions)
    np.testing.assert_array_equal(labels.value, gj.connected_components(undirected))
    assert len(set(labels.value.tolist())) > 1
    for source in (0, 50):
        expected = gj.bfs.run(directed, source=source)
        got = run_partitioned(gj.bfs, directed, client, partitions=partitions, source=source)
        np.testing.assert_array_equal(got.values["depth"], expected.values["depth"])
        np.testing.assert_array_equal(got.values["parent"], expected.values["parent"])
        assert got.iterations == expected.iterations
    assert expected.values["depth"].max() > 2                          # a real traversal


def test_partitions_read_from_their_own_files(client, tmp_path):
    _, directed = _partition_graphs()
    folder = write_partitions(directed, tmp_path / "parts", partitions=3)
    assert sorted(p.name for p in folder.iterdir())[-1] == "partitions.json"
    got = run_partitioned(gj.pagerank, folder, client)
    assert got.partitions == 3 and got.graph is None
    assert np.abs(got.value - gj.pagerank(directed)).sum() < 1e-12
    got = run_partitioned(gj.bfs, folder, client, source=50)
    np.testing.assert_array_equal(got.values["depth"], gj.bfs(directed, source=50)["depth"])
    with pytest.raises(ParameterError, match="source=100 is out of range"):
        run_partitioned(gj.bfs, folder, client, source=100)


def test_what_cannot_be_split_is_named(client):
    undirected, _ = _partition_graphs()
    with pytest.raises(PartitionError, match="'gather' op reads or writes"):
        run_partitioned(gj.connected_components_fastsv, undirected, client)
    with pytest.raises(PartitionError, match="per-node parameters"):
        run_partitioned(gj.personalized_pagerank, undirected, client)
    with pytest.raises(ParameterError, match="partitions=0"):
        run_partitioned(gj.pagerank, undirected, client, partitions=0)
    with pytest.raises(ParameterError, match="more than the graph's 120"):
        run_partitioned(gj.pagerank, undirected, client, partitions=121)
