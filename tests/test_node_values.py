"""Parameters with one value per node (``NodeValues``): every accepted form, checks, no recompiles."""

import networkx as nx
import numpy as np
import pytest

import groggy_jit as gj
from groggy_jit import NodeValues
from groggy_jit.plan.serialize import plan_from_json, plan_to_json


@gj.algorithm("weighted_in_sum")
def weighted_in_sum(sG, weight: NodeValues = 1.0, keep: NodeValues = True, shift: NodeValues = 0,
                    scale=2.0):
    """Per node: scale * (sum of in-neighbours' weight) + shift where kept, else -1."""
    total = sG.pull(weight, over="in", reduce="sum") * scale + shift
    return {"total": keep.where(total, -1.0), "lightest": sG.pull(weight, reduce="min")}


G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("a", "c"), ("d", "a")])
A = nx.to_scipy_sparse_array(G, nodelist=list(G), format="csr")   # A[u, v] = 1 for u -> v


def expected(weight, keep, shift, scale=2.0):
    total = scale * (A.T @ weight) + shift
    return np.where(keep, total, -1.0)


@pytest.mark.parametrize("given, weight, keep, shift", [
    ({}, [1.0] * 4, [True] * 4, [0] * 4),
    ({"weight": 0.5}, [0.5] * 4, [True] * 4, [0] * 4),
    ({"weight": [1, 2, 3, 4]}, [1, 2, 3, 4], [True] * 4, [0] * 4),
    ({"weight": np.array([0.25, 0.5, 0.75, 1.0])}, [0.25, 0.5, 0.75, 1.0], [True] * 4, [0] * 4),
    ({"weight": {"c": 3.0, "d": -1.0}}, [0, 0, 3, -1], [True] * 4, [0] * 4),
    ({"keep": {"a", "c"}}, [1.0] * 4, [True, False, True, False], [0] * 4),
    ({"keep": [False, True, True, False]}, [1.0] * 4, [False, True, True, False], [0] * 4),
    ({"shift": {"b": 5}, "scale": -1.0}, [1.0] * 4, [True] * 4, [0, 5, 0, 0]),
    ({"shift": np.array([1.0, 2.0, 3.0, 4.0])}, [1.0] * 4, [True] * 4, [1, 2, 3, 4]),
])
def test_every_accepted_form_gives_the_numpy_answer_in_kernel_and_interpreter(given, weight, keep,
                                                                               shift):
    scale = given.get("scale", 2.0)
    want = expected(np.array(weight, float), np.array(keep), np.array(shift), scale)
    kernel = weighted_in_sum.run(G, **given)
    reference = weighted_in_sum.interpret(G, **given)
    for result in (kernel, reference):
        np.testing.assert_array_equal(result.values["total"], want)
    np.testing.assert_array_equal(kernel.values["lightest"], reference.values["lightest"])
    assert weighted_in_sum(G, **given)["total"] == dict(zip(G, want))


def test_new_values_never_recompile_and_the_callers_array_is_left_alone():
    weights = np.arange(4, dtype=float)
    weighted_in_sum.run(G, weight=weights)
    before = weighted_in_sum.stats.compiles
    for trial in range(3):
        weights[:] = trial
        got = weighted_in_sum.run(G, weight=weights).values["total"]
        np.testing.assert_array_equal(got, expected(weights, True, 0))
    assert weighted_in_sum.stats.compiles == before
    assert weights.flags.writeable and list(weights) == [2.0] * 4


@pytest.mark.parametrize("given, match", [
    ({"weight": [1.0, 2.0]}, r"weight needs one value per node: expected shape \(4,\), got \(2,\)"),
    ({"weight": np.ones((4, 1))}, r"expected shape \(4,\), got \(4, 1\)"),
    ({"keep": [1, 0, 1, 1]}, r"keep needs True/False values, one per node; got an array of int"),
    ({"shift": [0.5, 0, 0, 0]}, r"shift needs whole numbers, one per node; got an array of float"),
    ({"weight": ["x", "y", "z", "w"]}, r"weight needs numbers, one per node; got an array of <U1"),
    ({"weight": {"zz": 1.0}}, r"weight='zz' is not a node of this graph"),
    ({"weight": {"a"}}, r"weight takes a set of nodes only for True/False values"),
    ({"weight": {"a": "heavy"}}, r"parameter 'weight' must be a number, got str 'heavy'"),
    ({"keep": "yes"}, r"parameter 'keep' must be True or False, got 'yes'"),
])
def test_bad_per_node_values_are_parameter_errors(given, match):
    with pytest.raises(gj.ParameterError, match=match):
        weighted_in_sum.run(G, **given)


def test_indices_address_nodes_of_an_unlabelled_graph():
    graph = gj.Graph.from_edges([0, 1], [1, 2], num_nodes=3, directed=True)
    got = weighted_in_sum.run(graph, weight={2: 7.0, 0: 1.5}).values["lightest"]
    np.testing.assert_array_equal(got, [np.inf, 1.5, 0.0])
    with pytest.raises(gj.ParameterError, match=r"weight=3 is out of range: the graph has 3"):
        weighted_in_sum.run(graph, weight={3: 1.0})


def test_a_per_node_parameter_needs_a_default_that_sets_its_type():
    def no_default(sG, seeds: NodeValues):
        return sG.pull(seeds)
    with pytest.raises(gj.TraceError, match="needs a default value"):
        gj.algorithm("no_default")(no_default).ir


def test_plans_with_per_node_parameters_round_trip_and_hash_apart_from_scalars():
    plan = gj.compile_to_batch(weighted_in_sum)
    again = plan_from_json(plan_to_json(plan))
    assert again.plan_hash == plan.plan_hash
    assert again.ir.params["weight"].per_node

    @gj.algorithm("weighted_in_sum")
    def scalar_weight(sG, weight=1.0, keep=True, shift=0, scale=2.0):
        total = sG.pull(sG.nodes(0.0) + weight, over="in", reduce="sum") * scale + shift
        return {"total": keep.where(total, -1.0), "lightest": sG.pull(sG.nodes(0.0) + weight,
                                                                      reduce="min")}
    assert gj.compile_to_batch(scalar_weight).plan_hash != plan.plan_hash
