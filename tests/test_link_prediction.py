"""Link prediction over node pairs: pair maps, the pair-list parameter, its checks, and
networkx's answers from the interpreter and from one compiled kernel."""

import itertools
import math

import networkx as nx
import numpy as np
import pytest

import groggy_jit as gj
from groggy_jit import NodePairs
from groggy_jit.errors import (GraphInputError, GroggyJITError, KindError, ParameterError,
                               TraceError)
from groggy_jit.runtime.params import non_edges

SCORES = {"jaccard": nx.jaccard_coefficient, "resource_allocation": nx.resource_allocation_index,
          "adamic_adar": nx.adamic_adar_index,
          "preferential_attachment": nx.preferential_attachment}


def _looped():
    G = nx.cycle_graph(6)
    G.add_edges_from([(0, 0), (2, 2), (0, 3)])
    G.add_node(6)                                  # isolated
    return G


FAMILIES = {
    "path": nx.path_graph(7), "star": nx.star_graph(5), "complete": nx.complete_graph(5),
    "karate": nx.karate_club_graph(), "gnp": nx.gnp_random_graph(30, 0.2, seed=4),
    "bipartite": nx.complete_bipartite_graph(3, 4), "looped": _looped(),
    "labelled": nx.relabel_nodes(nx.petersen_graph(), lambda v: f"n{v}"),
    "empty": nx.empty_graph(4),
}


def _pairs(G):
    """Non-edges, edges, self pairs and a repeated pair."""
    nodes = list(G)
    pairs = list(nx.non_edges(G))[:40] + list(G.edges())[:10] + [(nodes[0], nodes[0])]
    return pairs + [(nodes[-1], nodes[0]), (nodes[-1], nodes[0])]


def expected(G, pairs, score):
    """networkx's values; inf where networkx divides by zero (a common neighbour of degree 1)."""
    out = []
    for pair in pairs:
        try:
            out.append(next(SCORES[score](G, [pair]))[2])
        except ZeroDivisionError:
            out.append(math.inf)
    return out


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_interpreter_gives_networkx_s_scores(family):
    G = FAMILIES[family]
    pairs = _pairs(G)
    ours = gj.link_prediction.interpret(G, pairs=pairs).value
    for score in SCORES:
        np.testing.assert_allclose(ours[score], expected(G, pairs, score), rtol=1e-14, atol=0)
    assert ours["common_neighbors"].tolist() == [len(nx.common_neighbors(G, u, v)) for u, v in pairs]
    assert ours["preferential_attachment"].dtype == np.int64


def test_one_kernel_answers_every_graph_and_pair_list_as_the_interpreter_does():
    algo = gj.link_prediction
    before = algo.stats.compiles
    for G in FAMILIES.values():
        for pairs in (_pairs(G), [], None):
            kernel = algo.run(G, pairs=pairs, tier="kernel")
            reference = algo.interpret(G, pairs=pairs)
            assert kernel.tier == "kernel"
            for score in kernel.values:             # same bits: same order of every sum
                np.testing.assert_array_equal(kernel.values[score], reference.values[score])
    graph = gj.as_graph(FAMILIES["karate"])
    ends = np.array([[u, v] for u, v in itertools.product(range(34), repeat=2)], np.int64)
    many = algo.run(graph, pairs=ends, tier="kernel").value
    assert len(many["jaccard"]) == 34 * 34
    np.testing.assert_allclose(many["jaccard"], expected(FAMILIES["karate"], ends.tolist(),
                                                         "jaccard"), rtol=1e-14)
    assert algo.stats.compiles - before <= 1        # one kernel for all of them


def test_default_pairs_are_every_non_edge_in_index_order():
    G = FAMILIES["looped"]
    want = sorted(tuple(sorted(p)) for p in nx.non_edges(G))
    assert non_edges(gj.as_graph(G)).tolist() == [list(p) for p in want]
    result = gj.link_prediction.interpret(G).value
    networkx = {tuple(sorted((u, v))): s for u, v, s in nx.preferential_attachment(G)}
    assert dict(zip(want, result["preferential_attachment"].tolist())) == networkx


@pytest.mark.parametrize("pairs, message", [
    ([(0, 9)], "pair 0 (0, 9) names a node out of range"),
    (np.array([[0, 1], [-1, 2]]), "pair 1 (-1, 2) names a node out of range"),
    (np.array([[0, 1, 2]]), "shape (k, 2), got shape (1, 3)"),
    (np.array([0, 1]), "got shape (2,)"),
    (np.array([[0.0, 1.0]]), "needs node indices (integers)"),
    ([(0, 1, 2)], "needs (u, v) node pairs; got (0, 1, 2)"),
    (5, "needs a sequence of (u, v) node pairs, got int 5"),
])
def test_bad_pairs_are_refused_with_the_fix(pairs, message):
    with pytest.raises(ParameterError) as caught:
        gj.link_prediction(nx.path_graph(4), pairs=pairs)
    assert message in str(caught.value)
    assert isinstance(caught.value, GroggyJITError)


def test_labels_not_in_the_graph_directed_graphs_and_multigraphs_are_refused():
    with pytest.raises(ParameterError, match="'x' is not a node"):
        gj.link_prediction(nx.relabel_nodes(nx.path_graph(3), str), pairs=[("0", "x")])
    with pytest.raises(GraphInputError, match="undirected"):
        gj.link_prediction(nx.DiGraph([(0, 1)]), pairs=[(0, 1)])
    with pytest.raises(GroggyJITError, match="multigraph|parallel"):
        gj.link_prediction(nx.MultiGraph([(0, 1), (0, 1)]), pairs=[(0, 1)])


def test_pair_maps_and_node_maps_do_not_mix():
    def mixed(sG, pairs: NodePairs = None):
        u, v = sG.pair_ends(pairs)
        return u + sG.nodes(1)
    with pytest.raises(KindError, match=r"read node values at the pairs' ends with x\[u\]"):
        gj.algorithm("mixed")(mixed).ir

    def arithmetic(sG, pairs: NodePairs = None):
        return pairs + 1
    with pytest.raises(TraceError, match=r"u, v = sG.pair_ends\(pairs\)"):
        gj.algorithm("arithmetic")(arithmetic).ir

    def not_a_list(sG):
        return sG.pair_ends(sG.nodes(0))[0]
    with pytest.raises(TraceError, match=r"pair_ends\(\) reads a pair-list parameter"):
        gj.algorithm("not_a_list")(not_a_list).ir

    def two_lists(sG, a: NodePairs = None, b: NodePairs = None):
        return sG.pair_ends(a)[0]
    with pytest.raises(GroggyJITError, match="at most one pair list"):
        gj.algorithm("two_lists")(two_lists).ir


def test_pair_maps_export_as_one_row_per_pair():
    result = gj.link_prediction.interpret(nx.path_graph(3), pairs=[(0, 2), (1, 1)])
    assert result.kinds["jaccard"] == "pair"
    assert result.to_dict()["common_neighbors"] == [1, 2]     # (1, 1): nodes 0 and 2
    rows = result.records()
    assert [row["pair"] for row in rows] == [0, 1]
    assert [row["preferential_attachment"] for row in rows] == [1, 4]


@gj.algorithm("shifted_common")
def shifted_common(sG, pairs: NodePairs = None, shift: int = 0):
    """Common neighbours of pairs whose ends are moved by ``shift``, maybe off the graph."""
    u, v = sG.pair_ends(pairs)
    return sG.pair_common(u + shift, v, sG.nodes(1.0))


def test_ends_off_the_graph_have_no_neighbours_in_kernel_and_interpreter():
    G = nx.complete_graph(4)
    for shift in (0, 1, 5, -9):
        kernel = shifted_common.run(G, pairs=[(0, 1), (2, 3)], shift=shift, tier="kernel")
        reference = shifted_common.interpret(G, pairs=[(0, 1), (2, 3)], shift=shift)
        np.testing.assert_array_equal(kernel.value, reference.value)
        if shift in (5, -9):
            assert kernel.value.tolist() == [0.0, 0.0]
