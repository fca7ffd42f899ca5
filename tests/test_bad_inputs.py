"""Bad input gets a clear ``GroggyJITError`` subclass naming the problem.

Each test checks the exact error class (not just a base class), key words of the
message, and that no Numba exception is raised or chained underneath. Nearly all
of these fail before any kernel is compiled.
"""

from __future__ import annotations

import os
import pickle
import re
import stat
import warnings
from contextlib import contextmanager

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import groggy_jit as gj
from groggy_jit.ir.graph import IRGraph, Node
from groggy_jit.ir.types import DType, Kind, Type
from groggy_jit.runtime import cache as cache_mod
from groggy_jit.runtime.executor import kernel_args

KARATE = nx.karate_club_graph()
NODE_F64 = Type(Kind.NODE, DType.F64)
NODE_I64 = Type(Kind.NODE, DType.I64)


def _chain(exc):
    seen = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


@contextmanager
def raises_exactly(cls, match: str):
    """Like ``pytest.raises(cls, match=...)``, but the type must be exactly ``cls``."""
    try:
        yield
    except Exception as raised:
        exc = raised
    else:
        pytest.fail(f"did not raise {cls.__name__}")
    assert type(exc) is cls, f"expected {cls.__name__}, got {type(exc).__module__}." \
                             f"{type(exc).__name__}: {exc}"
    assert isinstance(exc, gj.GroggyJITError)
    assert re.search(match, str(exc)), f"{str(exc)!r} does not match {match!r}"
    leaked = [type(e) for e in _chain(exc) if type(e).__module__.split(".")[0] == "numba"]
    assert not leaked, f"numba exceptions in the chain: {leaked}"


# --- the error hierarchy --------------------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in gj.errors.__all__ if n != "GroggyJITError"])
def test_every_error_is_a_groggy_jit_error(name):
    cls = getattr(gj, name)
    assert issubclass(cls, gj.GroggyJITError)
    assert cls.__module__ == "groggy_jit.errors"


def test_cycle_error_is_an_ir_error():
    assert issubclass(gj.CycleError, gj.IRError)


# --- graphs that cannot be used -------------------------------------------------------------

def test_non_square_sparse_matrix():
    with raises_exactly(gj.GraphInputError, r"square.*\(2, 3\)"):
        gj.pagerank(sp.csr_array(np.ones((2, 3))))


def test_non_square_dense_matrix():
    with raises_exactly(gj.GraphInputError, r"square.*\(3, 2\)"):
        gj.connected_components(np.ones((3, 2)))


def test_matrix_that_is_not_two_dimensional():
    with raises_exactly(gj.GraphInputError, r"2-D.*\(2, 2, 2\)"):
        gj.degree_centrality(np.ones((2, 2, 2)))


@pytest.mark.parametrize("matrix", [
    np.array([["a", "b"], ["c", "d"]]),
    np.array([[0, None], [None, 0]], dtype=object),
    sp.csr_array(np.array([[0, 1j], [1j, 0]])),
], ids=["strings", "objects", "complex"])
def test_non_numeric_matrix(matrix):
    with raises_exactly(gj.GraphInputError, r"dtype .* not a real number type"):
        gj.pagerank(matrix)


def test_nan_in_matrix_values():
    A = sp.csr_array(np.array([[0.0, np.nan], [1.0, 0.0]]))
    with raises_exactly(gj.GraphInputError, r"non-finite.*nan.*arc \(0, 1\)"):
        gj.pagerank(A)


def test_nan_edge_weights():
    with raises_exactly(gj.GraphInputError, r"weights.*non-finite.*edge 1 -> 2"):
        gj.Graph.from_edges([0, 1], [1, 2], weights=[1.0, np.nan])


def test_nan_networkx_weights():
    G = nx.Graph()
    G.add_edge("a", "b", w=1.0)
    G.add_edge("b", "c", w=float("nan"))
    with raises_exactly(gj.GraphInputError, r"'w'.*non-finite.*'b' -> 'c'"):
        gj.Graph.from_networkx(G, weight="w")


def test_inf_edge_weights():
    with raises_exactly(gj.GraphInputError, r"non-finite"):
        gj.Graph.from_edges([0], [1], weights=[np.inf])


@pytest.mark.parametrize("thing", [[[0, 1], [1, 0]], "karate", {0: [1]}, 42, (0, 1)],
                         ids=["list", "string", "dict", "int", "tuple"])
@pytest.mark.parametrize("how", ["call", "run", "interpret"])
def test_not_a_graph(thing, how):
    algo = gj.connected_components
    with raises_exactly(gj.GraphInputError, rf"cannot use an object of type builtins\."
                                            rf"{type(thing).__name__} as a graph"):
        getattr(algo, "__call__" if how == "call" else how)(thing)


@pytest.mark.parametrize("how", ["call", "run", "interpret"])
def test_none_as_graph(how):
    with raises_exactly(gj.GraphInputError, r"pagerank\(\) needs a graph"):
        getattr(gj.pagerank, "__call__" if how == "call" else how)(None)


def test_configured_algorithm_with_a_bad_graph():
    with raises_exactly(gj.GraphInputError, r"builtins\.str as a graph"):
        gj.pagerank(damping=0.9).run("not a graph")


def test_negative_weights_where_not_allowed():
    W = gj.Graph.from_edges([0, 1], [1, 2], weights=[1.0, -2.0])
    with raises_exactly(gj.GraphInputError, r"sssp needs non-negative edge weights.*-2\.0"):
        gj.sssp(W, source=0)


# --- parameters -----------------------------------------------------------------------------

def test_unknown_parameter_suggests_the_close_name():
    with raises_exactly(gj.ParameterError, r"unknown parameter 'dampng' \(did you mean "
                                           r"'damping'\?\).*damping, max_iter, tol"):
        gj.pagerank(KARATE, dampng=0.9)


def test_unknown_parameter_without_a_close_name():
    with raises_exactly(gj.ParameterError, r"unknown parameter 'zzz'; this algorithm takes"):
        gj.pagerank.run(KARATE, zzz=1)


def test_unknown_parameter_when_configuring():
    with raises_exactly(gj.ParameterError, r"'max_iters' \(did you mean 'max_iter'\?\)"):
        gj.label_propagation(max_iters=3)


def test_unknown_parameter_when_there_are_none():
    with raises_exactly(gj.ParameterError, r"unknown parameter 'normalized'.*takes: none"):
        gj.degree_centrality(KARATE, normalized=True)


@pytest.mark.parametrize("value, match", [
    ("0.9", r"'damping' must be a number, got str '0\.9'"),
    (None, r"'damping' must be a number, got NoneType None"),
    (True, r"'damping' must be a number, got bool True"),       # bool is not a float here
    ([0.9], r"'damping' must be a number, got list"),
])
def test_mistyped_float_parameter(value, match):
    with raises_exactly(gj.ParameterError, match):
        gj.pagerank.run(KARATE, damping=value)


@pytest.mark.parametrize("value, match", [
    (2.5, r"'max_iter' must be a whole number, got 2\.5"),
    ("10", r"'max_iter' must be a number, got str"),
    (False, r"'max_iter' must be a number, got bool"),
    (2**70, r"'max_iter' = \d+ does not fit in 64 bits"),
])
def test_mistyped_int_parameter(value, match):
    with raises_exactly(gj.ParameterError, match):
        gj.pagerank.interpret(KARATE, max_iter=value)


def test_whole_floats_and_numpy_scalars_are_accepted():
    reference = gj.label_propagation.interpret(KARATE, max_iter=3).value
    for value in (3.0, np.int32(3), np.float64(3.0), np.array(3)):
        assert np.array_equal(gj.label_propagation.interpret(KARATE, max_iter=value).value,
                              reference)


def test_bool_parameter_rejects_numbers():
    @gj.algorithm
    def flagged(sG, flip=False):
        return sG.nodes(1.0)
    with raises_exactly(gj.ParameterError, r"'flip' must be True or False, got 1"):
        flagged(flip=1)


def test_parameters_are_passed_by_keyword():
    # gj.pagerank(G, 0.9) is an easy slip; it should say what to do, as a ParameterError
    # (a TypeError subclass, so code catching TypeError keeps working).
    with raises_exactly(gj.ParameterError, r"positional|keyword"):
        gj.pagerank(KARATE, 0.9)


@pytest.mark.parametrize("source, match", [
    (34, r"source=34 is out of range: the graph has 34 node\(s\)"),
    (-1, r"source=-1 is out of range"),
    (1.5, r"'source' must be a whole number"),
])
def test_source_node_out_of_range(source, match):
    with raises_exactly(gj.ParameterError, match):
        gj.bfs(KARATE, source=source)


def test_source_label_not_in_graph():
    G = nx.relabel_nodes(KARATE, str)
    with raises_exactly(gj.ParameterError, r"source='x' is not a node of this graph"):
        gj.bfs(G, source="x")


# --- IR built by hand -----------------------------------------------------------------------

def test_dependency_cycle_in_hand_built_ir():
    ir = IRGraph("cyclic")
    ir.add_node(Node("%1", "neg", ("%2",), (), NODE_F64))
    ir.add_node(Node("%2", "neg", ("%1",), (), NODE_F64))
    ir.outputs.append(("x", "%1"))
    with raises_exactly(gj.CycleError, r"dependency cycle: %1 \(neg\) -> %2 \(neg\) -> %1"):
        gj.compile_to_batch(ir)


def test_longer_cycle_behind_a_valid_node():
    ir = IRGraph("cyclic3")
    index = ir.add("node_index")
    ir.add_node(Node("%10", "add", (index.id, "%12"), (), NODE_I64))
    ir.add_node(Node("%11", "neg", ("%10",), (), NODE_I64))
    ir.add_node(Node("%12", "abs", ("%11",), (), NODE_I64))
    ir.set_output("y", "%12")
    with raises_exactly(gj.CycleError, r"dependency cycle.*%10 \(add\)"):
        gj.compile_to_batch(ir)


def test_node_reading_itself_is_a_cycle():
    ir = IRGraph("self_loop")
    ir.add_node(Node("%1", "neg", ("%1",), (), NODE_F64))
    ir.outputs.append(("x", "%1"))
    with raises_exactly(gj.CycleError, r"cycle"):
        gj.compile_to_batch(ir)


def test_dangling_reference_in_hand_built_ir():
    ir = IRGraph("dangling")
    ir.add_node(Node("%1", "neg", ("%9",), (), NODE_F64))
    ir.outputs.append(("x", "%1"))
    with raises_exactly(gj.IRError, r"unknown node %9"):
        gj.compile_to_batch(ir)


def test_unknown_op():
    with raises_exactly(gj.IRError, r"unknown op 'frobnicate'"):
        IRGraph("x").add("frobnicate")


# --- ops on values of the wrong kind --------------------------------------------------------

def test_where_on_a_float_condition():
    b = gj.AlgorithmBuilder("where_float")
    with raises_exactly(gj.KindError, r"where\(\) needs a bool condition, got node\[f64\]"):
        b.core.where(b.init_nodes(1.0), 1, 2)


@pytest.mark.parametrize("op, symbol", [(lambda x, y: x & y, "&"), (lambda x, y: x | y, r"\|"),
                                        (lambda x, y: ~x, "~")], ids=["and", "or", "not"])
def test_logic_on_float_node_maps(op, symbol):
    b = gj.AlgorithmBuilder("logic_float")
    with raises_exactly(gj.KindError, rf"{symbol} needs bool operands, got node\[f64\]"):
        op(b.init_nodes(1.0), b.init_nodes(2.0))


def test_unknown_reduction():
    b = gj.AlgorithmBuilder("median")
    with raises_exactly(gj.KindError, r"unknown reduction 'median'; choose one of .*sum"):
        b.init_nodes(1.0).reduce("median")


def test_unknown_pull_reduction():
    b = gj.AlgorithmBuilder("median_pull")
    with raises_exactly(gj.KindError, r"unknown reduction 'median'"):
        b.pull(b.init_nodes(1.0), reduce="median")


def test_unknown_pull_direction():
    b = gj.AlgorithmBuilder("sideways")
    with raises_exactly(gj.KindError, r"over='sideways': use one of in, out, both"):
        b.pull(b.init_nodes(1.0), over="sideways")


def test_reducing_a_scalar():
    b = gj.AlgorithmBuilder("scalar_reduce")
    with raises_exactly(gj.KindError, r"needs a node or edge map, got scalar\[f64\]"):
        b.constant(1.0).reduce("sum")


def test_unknown_comparison():
    b = gj.AlgorithmBuilder("compare")
    with raises_exactly(gj.KindError, r"compare op '<>'"):
        b.core.compare(b.init_nodes(1.0), "<>", 1)


def test_float_loop_bound():
    b = gj.AlgorithmBuilder("float_bound")
    with raises_exactly(gj.KindError, r"loop bound must be an integer scalar"):
        with b.iterate(b.constant(2.5)):
            pass


# --- tracing decorated algorithms -----------------------------------------------------------

def test_python_if_on_a_traced_value():
    @gj.algorithm
    def branches(sG, tol=1e-3):
        x = sG.nodes(1.0)
        if x.reduce("sum") > tol:
            x = x * 2
        return x
    with raises_exactly(gj.TraceError, r"no truth value.*where"):
        branches.ir
    with raises_exactly(gj.TraceError, r"no truth value"):
        branches(KARATE)


def test_loop_local_value_used_after_the_loop():
    @gj.algorithm
    def leaks(sG, k=3):
        x = sG.nodes(1.0)
        with sG.iterate(k):
            y = sG @ x
            x = sG.var("x", y * 0.5)
        return x + y
    with raises_exactly(gj.IRError, r"computed inside a loop.*carry it"):
        leaks.ir


def test_loop_local_value_returned():
    @gj.algorithm
    def leaks(sG, k=3):
        x = sG.nodes(1.0)
        with sG.iterate(k):
            y = sG @ x
            x = sG.var("x", y * 0.5)
        return y
    with raises_exactly(gj.IRError, r"output 'result' is computed inside a loop"):
        leaks.ir


def test_parameter_without_default_or_annotation():
    with raises_exactly(gj.TraceError, r"parameter 'damping' needs a default value"):
        @gj.algorithm
        def no_default(sG, damping):
            return sG.nodes(damping)


def test_annotated_parameter_without_default_must_be_given():
    @gj.algorithm
    def scaled(sG, scale: float):
        return sG.nodes(1.0) * scale
    with raises_exactly(gj.ParameterError, r"'scale' has no default; pass scale=\.\.\."):
        scaled.interpret(KARATE)
    assert np.array_equal(scaled.interpret(nx.path_graph(3), scale=2.0).value, [2.0, 2.0, 2.0])


def test_varargs_cannot_be_traced():
    with raises_exactly(gj.TraceError, r"\*args/\*\*kwargs cannot be traced"):
        @gj.algorithm
        def star(sG, *rest):
            return sG.nodes(1.0)


def test_until_converged_on_a_value_never_reassigned():
    @gj.algorithm
    def stuck(sG, tol=1e-6):
        x = sG.nodes(1.0)
        y = sG.nodes(0.0)
        with sG.until_converged(x, tol=tol):
            y = sG.var("y", sG @ y + 1)
        return y
    with raises_exactly(gj.TraceError, r"never reassigns"):
        stuck.ir


def test_two_carried_names_starting_as_one_value():
    """The body's reads of that value could mean either name: refused, not guessed."""
    @gj.algorithm
    def aliased(sG):
        reached = sG.nodes(unique=True) == 0
        frontier = reached
        with sG.while_any(frontier):
            frontier = sG.pull(frontier, reduce="any", at=~reached)
            reached = reached | frontier
        return reached
    with raises_exactly(gj.TraceError, r"'reached' and 'frontier' are the same value when the "
                                       r"loop starts.*frontier = reached \| False"):
        aliased.ir

    @gj.algorithm
    def apart(sG):
        reached = sG.nodes(unique=True) == 0
        frontier = reached | False
        with sG.while_any(frontier):
            frontier = sG.pull(frontier, reduce="any", at=~reached)
            reached = reached | frontier
        return reached
    graph = gj.Graph.from_edges([0, 1, 3], [1, 2, 4], num_nodes=5, directed=True)
    assert apart.interpret(graph).value.tolist() == [True, True, True, False, False]


def test_algorithm_returning_nothing():
    @gj.algorithm
    def nothing(sG):
        sG.nodes(1.0)
    with raises_exactly(gj.TraceError, r"returned nothing"):
        nothing.ir


def test_builder_without_outputs():
    b = gj.AlgorithmBuilder("empty")
    b.init_nodes(1.0)
    with raises_exactly(gj.TraceError, r"no outputs; call attach_as\(\)"):
        b.build()


# --- odd but valid parameters run without raising -------------------------------------------

@pytest.mark.parametrize("params", [dict(max_iter=0), dict(tol=0.0), dict(damping=1.0),
                                    dict(damping=0.0)],
                         ids=["max_iter=0", "tol=0", "damping=1", "damping=0"])
def test_odd_parameters_never_raise_inside_the_kernel(params):
    # Nothing raises mid-kernel (numpy error model): the kernel and the interpreter agree.
    kernel = gj.pagerank.run(KARATE, on_nonconvergence="ignore", **params)
    reference = gj.pagerank.interpret(KARATE, on_nonconvergence="ignore", **params)
    np.testing.assert_allclose(kernel.value, reference.value, rtol=0, atol=1e-12)
    assert (kernel.iterations, kernel.converged) == (reference.iterations, reference.converged)


# --- parameter domains: values a kernel would turn into a silently wrong answer ------------
# Each algorithm declares its parameters' domains as annotations (``damping: Probability``);
# the binder refuses a value outside them before any kernel runs, naming the value and
# what it must be. These run through the interpreter: the check happens before either.

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("algo, params, match", [
    (gj.pagerank, dict(damping=1.5), r"'damping': got 1\.5; it must be a probability between 0 and 1"),
    (gj.pagerank, dict(damping=-0.1), r"'damping': got -0\.1; it must be a probability"),
    (gj.pagerank, dict(damping=NAN), r"'damping': got nan; it must be a probability"),
    (gj.pagerank, dict(damping=INF), r"'damping': got inf; it must be a probability"),
    (gj.pagerank, dict(max_iter=-1), r"'max_iter': got -1; it must be a whole number of at least 0"),
    (gj.pagerank, dict(tol=-1.0), r"'tol': got -1\.0; it must be a number of at least 0"),
    (gj.pagerank, dict(tol=NAN), r"'tol': got nan; it must be a number of at least 0 \(not NaN\)"),
    (gj.personalized_pagerank, dict(damping=2.0), r"'damping': got 2\.0; it must be a probability"),
    (gj.hits, dict(tol=-1e-3), r"'tol': got -0\.001; it must be a number of at least 0"),
    (gj.hits, dict(max_iter=-5), r"'max_iter': got -5; it must be a whole number"),
    (gj.katz_centrality, dict(max_iter=-1), r"'max_iter': got -1; it must be a whole number"),
    (gj.eigenvector_centrality, dict(tol=NAN), r"'tol': got nan; it must be a number of at least 0"),
    (gj.label_propagation, dict(max_iter=-3), r"'max_iter': got -3; it must be a whole number"),
    (gj.connected_components, dict(max_iter=-1), r"'max_iter': got -1; it must be a whole number"),
    (gj.sssp_delta, dict(delta=0.0), r"'delta': got 0\.0; it must be a number greater than 0"),
    (gj.sssp_delta, dict(delta=-2.0), r"'delta': got -2\.0; it must be a number greater than 0"),
    (gj.sssp_delta, dict(delta=NAN), r"'delta': got nan; it must be a number greater than 0 \(not NaN\)"),
])
def test_parameter_outside_its_domain(algo, params, match):
    with raises_exactly(gj.ParameterValueError, match):
        algo.interpret(KARATE, **params)


def test_domain_errors_are_value_errors_and_parameter_errors():
    assert issubclass(gj.ParameterValueError, ValueError)
    assert issubclass(gj.ParameterValueError, gj.ParameterError)


def test_configuring_with_a_value_outside_the_domain_fails_at_once():
    with raises_exactly(gj.ParameterValueError, r"'damping': got 7\.0; it must be a probability"):
        gj.pagerank(damping=7.0)


@pytest.mark.parametrize("personalization, match", [
    ({}, r"'personalization': got 0 non-zero value\(s\) among 34; they must be positive for at "
         r"least one node"),
    (0.0, r"'personalization': got 0 non-zero value\(s\) among 34"),
    ({0: NAN}, r"'personalization': got nan \(node 0\); it must be finite and at least 0"),
    ({3: -1.0}, r"'personalization': got -1\.0 \(node 3\); it must be finite and at least 0"),
    (np.r_[np.ones(33), INF], r"'personalization': got inf \(node 33\); it must be finite"),
], ids=["empty dict", "all zero", "nan", "negative", "inf"])
def test_personalization_that_would_give_nan_ranks(personalization, match):
    with raises_exactly(gj.ParameterValueError, match):
        gj.personalized_pagerank.interpret(KARATE, personalization=personalization)


@pytest.mark.parametrize("sources", [set(), {}, False, np.zeros(34, dtype=bool)],
                         ids=["empty set", "empty dict", "False", "all-False array"])
def test_betweenness_without_sources(sources):
    with raises_exactly(gj.ParameterValueError, r"'sources': got 0 non-zero value\(s\) among 34; "
                                                r"they must be True for at least one node"):
        gj.betweenness_centrality.interpret(KARATE, sources=sources)
    with raises_exactly(gj.ParameterValueError, r"'nodes': got 0 non-zero value\(s\) among 34"):
        gj.closeness_centrality.interpret(KARATE, nodes=sources)


def test_a_user_algorithm_declares_domains_as_annotations():
    @gj.algorithm
    def scaled(sG, factor: gj.Positive = 2.0, rounds: gj.PositiveInt = 1):
        x = sG.nodes(1.0)
        with sG.iterate(rounds):
            x = sG.var("x", x * factor)
        return x
    assert scaled.interpret(KARATE, factor=3.0).value[0] == 3.0
    with raises_exactly(gj.ParameterValueError, r"'factor': got -1\.0; it must be a number greater"):
        scaled.interpret(KARATE, factor=-1.0)
    with raises_exactly(gj.ParameterValueError, r"'rounds': got 0; it must be a whole number of at least 1"):
        scaled.interpret(KARATE, rounds=0)
    with raises_exactly(gj.ParameterError, r"'rounds' must be a whole number, got 1\.5"):
        scaled.interpret(KARATE, rounds=1.5)


def test_a_default_outside_its_domain_is_a_trace_error():
    def bad(sG, damping: gj.Probability = 1.5):
        return sG.nodes(damping)
    with raises_exactly(gj.TraceError, r"default of 'damping' is outside its domain Probability: "
                                       r"got 1\.5; it must be a probability between 0 and 1"):
        gj.algorithm(bad)


def test_domains_survive_plan_serialization():
    from groggy_jit.plan.serialize import plan_from_json, plan_to_json
    plan = plan_from_json(plan_to_json(gj.pagerank.plan))
    assert plan.ir.params["damping"].domain == "Probability"


# --- conditions a kernel reports: not converged, round limit reached --------------------------

def test_calling_an_unconverged_algorithm_raises_like_networkx():
    with raises_exactly(gj.ConvergenceError, r"pagerank did not converge: its loop stopped at "
                                             r"its limit after 2 iteration\(s\), its last change "
                                             r"[0-9.e+-]+\. Raise max_iter"):
        gj.pagerank(KARATE, max_iter=2)


def test_nan_values_are_named_not_blamed_on_max_iter():
    # HITS divides by the largest score, which is 0 on a graph without edges
    with raises_exactly(gj.ConvergenceError, r"hits did not converge: .* with NaN values \(a "
                                             r"division by zero"):
        gj.hits.interpret(nx.empty_graph(3), on_nonconvergence="raise")


def test_run_warns_and_reports_unconverged_loops():
    with pytest.warns(gj.ConvergenceWarning, match=r"after 2 iteration\(s\).*on_nonconvergence"):
        result = gj.pagerank.interpret(KARATE, max_iter=2)
    assert result.converged is False and result.iterations == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gj.pagerank.interpret(KARATE, max_iter=2, on_nonconvergence="ignore").converged is False


def test_convergence_error_carries_the_result():
    try:
        gj.pagerank.interpret(KARATE, max_iter=1, on_nonconvergence="raise")
    except gj.ConvergenceError as e:
        assert e.result.iterations == 1 and e.result.value.shape == (34,)
    else:
        pytest.fail("no ConvergenceError")


def test_a_while_any_loop_stopped_at_its_round_limit_is_reported():
    @gj.algorithm
    def never_empty(sG, rounds: gj.NonNegativeInt = 3):
        frontier = sG.nodes(True)
        count = sG.nodes(0.0)
        with sG.while_any(frontier, max_iter=rounds):
            count = count + 1.0
            frontier = frontier & (count > -1.0)
        return count
    with raises_exactly(gj.ConvergenceError, r"never_empty did not converge: its loop stopped at "
                                             r"its limit after 3 iteration\(s\)"):
        never_empty.interpret(KARATE, on_nonconvergence="raise")
    with pytest.warns(gj.ConvergenceWarning, match="never_empty did not converge"):
        never_empty.interpret(KARATE)


@pytest.mark.parametrize("policy", ["loud", None, True])
def test_unknown_nonconvergence_policy(policy):
    with raises_exactly(gj.ParameterValueError, rf"on_nonconvergence={policy!r} is not a choice; "
                                                r"pass one of 'raise', 'warn', 'ignore'"):
        gj.pagerank.interpret(KARATE, on_nonconvergence=policy)


def test_unknown_nonconvergence_policy_when_configuring():
    with raises_exactly(gj.ParameterValueError, r"on_nonconvergence='sometimes' is not a choice"):
        gj.pagerank(on_nonconvergence="sometimes")


# --- graph files that are not graph files -------------------------------------------------------

@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad_files")
    (d / "a_directory").mkdir()
    (d / "garbage.txt").write_bytes(bytes(range(128, 256)) * 3)
    (d / "fake.gz").write_text("0 1\n1 2\n")
    (d / "fake.bz2").write_text("0 1\n1 2\n")
    (d / "two_then_three.txt").write_text("# comment\n0 1\n1 2 5.0\n2 0 1.0\n")
    (d / "three_then_two.txt").write_text("0 1 2.0\n1 2\n")
    return d


@pytest.mark.parametrize("reader", [gj.read_edgelist, gj.read_matrix_market],
                         ids=["edgelist", "mtx"])
@pytest.mark.parametrize("name, match", [
    ("a_directory", r"a_directory is a directory; pass the path of an? [\w -]+ file"),
    ("fake.gz", r"fake\.gz is not a valid gzip file .*; decompress it, or rename it if it is "
                r"not compressed"),
    ("fake.bz2", r"fake\.bz2 is not a valid bzip2 file .*; decompress it, or rename it"),
])
def test_a_file_that_is_not_a_graph_file(bad_files, reader, name, match):
    with raises_exactly(gj.GraphInputError, match):
        reader(bad_files / name)


def test_binary_garbage_as_an_edge_list(bad_files):
    with raises_exactly(gj.GraphInputError, r"garbage\.txt is not a text file \(byte 0 cannot be "
                                            r"decoded as UTF-8\); pass an edge-list file"):
        gj.read_edgelist(bad_files / "garbage.txt")


def test_binary_garbage_as_matrix_market(bad_files):
    with raises_exactly(gj.GraphInputError, r"garbage\.txt: not a readable Matrix Market file"):
        gj.read_matrix_market(bad_files / "garbage.txt")


def test_a_weight_column_after_a_first_line_without_one(bad_files):
    # The first line decided "unweighted" and every later weight was silently dropped.
    with raises_exactly(gj.GraphInputError, r"data row 2 has 3 columns but the first has 2; pass "
                                            r"weighted=True .* or weighted=False to ignore it"):
        gj.read_edgelist(bad_files / "two_then_three.txt")
    assert not gj.read_edgelist(bad_files / "two_then_three.txt", weighted=False).weighted


def test_a_line_without_weight_after_a_weighted_first_line(bad_files):
    with raises_exactly(gj.GraphInputError, r"data row 2 has 2 columns but the first has 3; give "
                                            r"every line its weight, or pass weighted=False"):
        gj.read_edgelist(bad_files / "three_then_two.txt")


# --- graphs from arrays and objects ---------------------------------------------------------------

@pytest.mark.parametrize("kwargs, match", [
    (dict(src=[0, 10**12], dst=[1, 2]), r"src holds node id 1000000000000 \(index 1\), so the "
                                         r"graph has 1,000,000,000,001 nodes.*relabel them"),
    (dict(src=[0, 1], dst=[2**40, 0]), r"dst holds node id 1099511627776 \(index 0\).*relabel"),
    (dict(src=[0], dst=[1], num_nodes=10**13), r"num_nodes=10000000000000: the graph has "
                                               r"10,000,000,000,000 nodes.*GiB"),
], ids=["src 1e12", "dst 2**40", "num_nodes 1e13"])
def test_a_node_id_too_large_to_allocate(kwargs, match):
    with raises_exactly(gj.GraphInputError, match):
        gj.Graph.from_edges(**kwargs)


def test_a_networkx_subclass_keeps_its_labels():
    class Roads(nx.Graph):
        pass
    G = Roads()
    G.add_edges_from([("b", "a"), ("a", "c")])
    out = gj.degree_centrality(G)
    assert out == nx.degree_centrality(G)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.uint8])
def test_small_integer_duplicate_weights_do_not_overflow(dtype):
    coo = sp.coo_array((np.array([100, 100, 100], dtype=dtype),
                        (np.array([0, 0, 0]), np.array([1, 1, 1]))), shape=(2, 2))
    assert gj.Graph.from_scipy(coo).out_weights.tolist() == [300.0]


def test_explicit_zeros_are_zero_weight_arcs_as_in_scipy_csgraph():
    from scipy.sparse.csgraph import shortest_path
    A = sp.csr_array((np.array([0.0, 1.0, 5.0]), np.array([1, 2, 2]), np.array([0, 2, 2, 3])),
                     shape=(3, 3))                     # 0 -> 1 weighs 0 (stored), 0 -> 2 weighs 1
    ours = gj.sssp.interpret(A, source=0).value
    np.testing.assert_array_equal(ours, shortest_path(A, indices=0))


# --- pickled graphs are checked before any kernel reads them ------------------------------------

def _damaged(field, change):
    state = gj.Graph(KARATE).__getstate__()
    value = state[field]
    state[field] = change(value.copy() if isinstance(value, np.ndarray) else value)
    return state


def _set(i, v):
    def change(a):
        a[i] = v
        return a
    return change


@pytest.mark.parametrize("field, change, match", [
    ("out_indices", _set(3, 10**6), r"out_indices holds node ids outside 0 \.\. 33"),
    ("in_indices", _set(0, -1), r"in_indices holds node ids outside 0 \.\. 33"),
    ("out_indptr", _set(-1, 10**6), r"out_indptr does not run from 0 up to the arc count 156"),
    ("out_indptr", lambda a: a[::-1].copy(), r"out_indptr does not run from 0"),
    ("num_nodes", lambda n: 100, r"out_indptr should be a int32 array of length 101"),
    ("num_edges", lambda m: -1, r"num_nodes=34 and num_edges=-1 must be non-negative"),
    ("out_indices", lambda a: a.astype(np.int64), r"out_indices should be a int32 array"),
    ("out_indices", lambda a: a[::-1].copy(), r"the neighbour lists of out_indices are not sorted"),
    ("out_degree", lambda d: d + 1, r"out_degree does not match out_indptr"),
    ("out_weights", lambda w: np.ones(3), r"only one of out_weights and in_weights is set"),
    ("node_labels", lambda labels: ["a"], r"node_labels should be None or a list of 34 labels"),
    ("index_dtype", lambda d: np.dtype(np.int16), r"index_dtype=dtype\('int16'\) is neither"),
], ids=["index too large", "negative index", "indptr end", "indptr decreasing", "num_nodes",
        "num_edges", "index dtype", "unsorted", "degrees", "weights", "labels", "int16"])
def test_unpickling_an_inconsistent_graph_fails_cleanly(field, change, match):
    state = _damaged(field, change)
    graph = object.__new__(gj.Graph)
    with raises_exactly(gj.GraphInputError, rf"cannot unpickle this Graph: {match}.*rebuild the "
                                            r"graph from its source"):
        graph.__setstate__(state)


def test_unpickling_a_graph_whose_in_csr_is_not_the_transpose():
    G = gj.Graph.from_edges([0, 1], [1, 2], directed=True)
    state = G.__getstate__()
    state["in_indices"] = np.array([0, 0], dtype=np.int32)
    with raises_exactly(gj.GraphInputError, r"in-CSR is not the transpose of the out-CSR.*rebuild"):
        pickle.loads(pickle.dumps(_DamagedPickle(state)))


class _DamagedPickle:
    """Pickles as a Graph carrying ``state``, as a damaged or edited file would."""

    def __init__(self, state):
        self.state = state

    def __reduce__(self):
        return (object.__new__, (gj.Graph,), self.state)


# --- cache roots and entries that are not ours, or not safe ---------------------------------------
# Permission cases change modes and owners of temporary directories; the owner cases need
# root (chown) and are skipped otherwise.

AS_ROOT = os.getuid() == 0


@pytest.fixture
def foreign_root(tmp_path, monkeypatch):
    """A directory holding a user's own files, set as the cache root by mistake."""
    (tmp_path / "notes.txt").write_text("mine\n")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "main.py").write_text("print('mine')\n")
    monkeypatch.setenv("GROGGY_JIT_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("operation", [cache_mod.cache_clear, cache_mod.cache_info,
                                       cache_mod.kernel_dir], ids=["clear", "info", "compile"])
def test_a_root_that_is_not_ours_is_refused(foreign_root, operation):
    with raises_exactly(gj.CacheError, r"does not look like a groggy-jit cache: it holds 2 "
                                       r"entries groggy-jit did not make \('notes\.txt', "
                                       r"'project'\).*set GROGGY_JIT_CACHE_DIR to a directory of "
                                       r"its own"):
        operation()
    assert (foreign_root / "notes.txt").read_text() == "mine\n"
    assert (foreign_root / "project" / "main.py").exists()
    assert sorted(p.name for p in foreign_root.iterdir()) == ["notes.txt", "project"]


def test_a_root_that_is_a_file_is_refused(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("GROGGY_JIT_CACHE_DIR", str(tmp_path / "file"))
    with raises_exactly(gj.CacheError, r"file is not a directory; set GROGGY_JIT_CACHE_DIR"):
        cache_mod.kernel_dir()


def test_clear_removes_only_what_groggy_jit_made(tmp_path, monkeypatch):
    monkeypatch.setenv("GROGGY_JIT_CACHE_DIR", str(tmp_path))
    tag = cache_mod.kernel_dir()                      # our root: tagged CACHEDIR.TAG
    (tag / "groggy_jit_kernel_ab12.py").write_text("# a kernel\n")
    (tag / "__pycache__").mkdir()
    (tag / "__pycache__" / "groggy_jit_kernel_ab12.kernel-3.py311.nbi").write_bytes(b"i")
    (tag / "notes.txt").write_text("not ours\n")      # someone put a file among ours
    (tmp_path / "keep.txt").write_text("not ours\n")
    assert cache_mod.cache_clear() == 1
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert left == sorted(["CACHEDIR.TAG", "keep.txt", tag.name, f"{tag.name}/notes.txt"])


def test_cache_info_survives_dangling_links(tmp_path, monkeypatch):
    monkeypatch.setenv("GROGGY_JIT_CACHE_DIR", str(tmp_path))
    tag = cache_mod.kernel_dir()
    (tag / "groggy_jit_kernel_cd34.py").symlink_to(tmp_path / "gone.py")
    (tag / "__pycache__").mkdir()
    (tag / "__pycache__" / "groggy_jit_kernel_cd34.kernel-3.py311.nbc").symlink_to(tmp_path / "x")
    info = cache_mod.cache_info()
    assert [e["kernel"] for e in info["entries"]] == ["groggy_jit_kernel_cd34"]
    assert cache_mod.cache_clear() == 1 and not tag.exists()


def test_a_world_writable_root_is_refused(tmp_path, monkeypatch):
    root = tmp_path / "open"
    root.mkdir()
    os.chmod(root, 0o777)
    monkeypatch.setenv("GROGGY_JIT_CACHE_DIR", str(root))
    monkeypatch.setenv("GROGGY_JIT_SHARED_CACHE", "1")   # not even for a team
    with raises_exactly(gj.CacheError, r"open \(mode 0777\) can be written by every user: "
                                       r"loading its kernels would run code they wrote; chmod o-w"):
        cache_mod.kernel_dir()


@pytest.mark.skipif(not AS_ROOT, reason="needs chown")
def test_a_group_writable_root_is_refused_unless_shared(tmp_path, monkeypatch):
    root = tmp_path / "team"
    root.mkdir()
    os.chown(root, -1, 65534)                         # a group with other members
    os.chmod(root, 0o770)
    monkeypatch.setenv("GROGGY_JIT_CACHE_DIR", str(root))
    monkeypatch.delenv("GROGGY_JIT_SHARED_CACHE", raising=False)
    with raises_exactly(gj.CacheError, r"team \(mode 0770\) can be written by its group.*chmod "
                                       r"go-w .*, or set GROGGY_JIT_SHARED_CACHE=1"):
        cache_mod.kernel_dir()
    monkeypatch.setenv("GROGGY_JIT_SHARED_CACHE", "1")
    tag = cache_mod.kernel_dir()
    assert stat.S_IMODE(os.stat(tag).st_mode) == 0o770  # team members can add kernels


@pytest.mark.skipif(not AS_ROOT, reason="needs chown")
def test_a_root_owned_by_another_user_is_refused_unless_shared(tmp_path, monkeypatch):
    root = tmp_path / "theirs"
    root.mkdir()
    os.chown(root, 65534, 65534)
    monkeypatch.setenv("GROGGY_JIT_CACHE_DIR", str(root))
    monkeypatch.delenv("GROGGY_JIT_SHARED_CACHE", raising=False)
    with raises_exactly(gj.CacheError, r"theirs belongs to another user \(uid 65534\): loading "
                                       r"its kernels would run code that user wrote.*set "
                                       r"GROGGY_JIT_SHARED_CACHE=1"):
        cache_mod.kernel_dir()


def test_a_cached_module_replaced_by_a_directory_is_rebuilt():
    graph = gj.as_graph(KARATE)
    expected = gj.degree_centrality.run(graph).value
    source = gj.degree_centrality.source_for("int32").text
    path = cache_mod.kernel_dir() / f"{cache_mod.module_name(source)}.py"
    path.unlink()
    path.mkdir()
    (path / "inside").write_text("x")
    with pytest.warns(RuntimeWarning, match=r"does not match its hash \(truncated, edited or not "
                                            r"a file\); rebuilding it"):
        kernel, origin = cache_mod.KernelCache().load(source)
    assert path.is_file() and path.read_text() == source
    np.testing.assert_array_equal(kernel.function(*kernel_args(graph, {}))[0], expected)
