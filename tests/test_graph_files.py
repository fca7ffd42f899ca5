"""``read_graph``: every file format the command line reads, without running a kernel."""

import gzip

import networkx as nx
import pytest
import scipy.io
import scipy.sparse as sp

import groggy_jit as gj


def arcs(graph):
    """The graph's arcs as (source label, target label, weight) triples."""
    labels = graph.node_labels or list(range(graph.num_nodes))
    A = graph.to_scipy().tocoo()
    return sorted((labels[u], labels[v], w) for u, v, w in zip(A.row, A.col, A.data.tolist()))


def test_csv_with_a_header_word_ids_and_weights(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("source,target,weight\nbob,ann,2.5\nann,cy,1\n")
    g = gj.read_graph(path)
    assert g.node_labels == ["ann", "bob", "cy"] and g.directed
    assert arcs(g) == [("ann", "cy", 1.0), ("bob", "ann", 2.5)]
    assert not gj.read_graph(path, weight=None).weighted
    assert not gj.read_graph(path, directed=False).directed


def test_a_named_weight_column_and_tab_separated_integers(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("from\tto\tcost\tday\n0\t1\t3\tmon\n1\t2\t4\ttue\n")
    assert arcs(gj.read_graph(path, weight="cost")) == [(0, 1, 3.0), (1, 2, 4.0)]
    assert not gj.read_graph(path).weighted             # no "weight" column: unweighted


def test_whitespace_edge_lists_compressed_or_not_read_as_read_edgelist(tmp_path):
    text = "# comment\n0 1 0.5\n2 0 1.5\n"
    (tmp_path / "g.txt").write_text(text)
    with gzip.open(tmp_path / "g.txt.gz", "wt") as f:
        f.write(text)
    expected = arcs(gj.read_edgelist(tmp_path / "g.txt"))
    assert arcs(gj.read_graph(tmp_path / "g.txt")) == expected
    assert arcs(gj.read_graph(tmp_path / "g.txt.gz")) == expected


def test_matrix_market_npz_graphml_and_gml_agree(tmp_path):
    G = nx.karate_club_graph()
    A = nx.to_scipy_sparse_array(G, weight=None).tocsr()
    scipy.io.mmwrite(tmp_path / "g.mtx", A.tocoo())
    sp.save_npz(tmp_path / "g.npz", A)
    nx.write_graphml(G, tmp_path / "g.graphml")
    nx.write_gml(G, tmp_path / "g.gml")
    reference = arcs(gj.Graph.from_networkx(G))
    for name in ("g.mtx", "g.npz", "g.graphml", "g.gml"):
        g = gj.read_graph(tmp_path / name, weight=None)
        assert not g.directed and arcs(g) == reference, name
    weighted = gj.read_graph(tmp_path / "g.graphml")     # karate edges carry "weight"
    assert weighted.weighted
    assert arcs(weighted) == arcs(gj.Graph.from_networkx(G, weight="weight"))


@pytest.mark.parametrize("name, text, match", [
    ("bad.csv", "a,b\n1\n", "cannot parse edge list"),
    ("bad.npz", "not a zip", "not a scipy sparse .npz file"),
    ("bad.graphml", "<graphml", "not a readable GRAPHML file"),
    ("bad.txt", "0 1\n1 -2\n", "negative node id"),
])
def test_unreadable_files_raise_graph_input_errors_naming_the_file(tmp_path, name, text, match):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(gj.GraphInputError, match=match) as e:
        gj.read_graph(path)
    assert str(path) in str(e.value)


def test_missing_files_and_unknown_formats():
    with pytest.raises(gj.GraphInputError, match="no such file"):
        gj.read_graph("nowhere.csv")
    with pytest.raises(gj.GraphInputError, match="use one of"):
        gj.read_graph("nowhere.csv", format="xlsx")

