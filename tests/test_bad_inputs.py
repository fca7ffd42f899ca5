"""Bad input gets a clear ``GroggyJITError`` subclass naming the problem.

Each test checks the exact error class (not just a base class), key words of the
message, and that no Numba exception is raised or chained underneath. Nearly all
of these fail before any kernel is compiled.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import groggy_jit as gj
from groggy_jit.ir.graph import IRGraph, Node
from groggy_jit.ir.types import DType, Kind, Type

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

@pytest.mark.parametrize("params", [dict(max_iter=0), dict(max_iter=-1), dict(tol=-1.0),
                                    dict(damping=float("nan")), dict(damping=0.0)],
                         ids=["max_iter=0", "max_iter=-1", "tol=-1", "damping=nan", "damping=0"])
def test_odd_parameters_never_raise_inside_the_kernel(params):
    # Nothing raises mid-kernel (numpy error model): the kernel and the interpreter agree,
    # including on NaN.
    kernel = gj.pagerank.run(KARATE, **params)
    reference = gj.pagerank.interpret(KARATE, **params)
    np.testing.assert_allclose(kernel.value, reference.value, rtol=0, atol=1e-12)
    assert (kernel.iterations, kernel.converged) == (reference.iterations, reference.converged)
