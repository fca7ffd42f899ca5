"""The op table is the one place an op is defined: every op and reduction has every rule.

No Numba: lowering is checked by running generated source as plain Python.
"""

import itertools

import networkx as nx
import numpy as np
import pytest

import groggy_jit as gj
from groggy_jit.codegen.emit import generate_source
from groggy_jit.codegen.python_mode import load_python
from groggy_jit.ir.graph import Node
from groggy_jit.ir.monoids import NEIGHBOUR_REDUCTIONS, REDUCTIONS
from groggy_jit.ir.ops import ALWAYS, ARGUMENT, CARRY, OPS, RESULT, SCALAR_ONLY, STAYS
from groggy_jit.ir.types import DType, Kind, Type
from groggy_jit.runtime.executor import kernel_args
from groggy_jit.runtime.params import bind


def _is_control(op) -> bool:
    """Loops, carries and loop results: the interpreter and codegen run loops themselves."""
    return op.region or op.storage in (CARRY, RESULT)


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_has_every_rule(name):
    op = OPS[name]
    assert callable(op.infer), "type rule"
    assert op.hoist in (STAYS, SCALAR_ONLY, ALWAYS)
    assert op.storage in (None, ARGUMENT, CARRY, RESULT)
    assert op.own_pass in (None, "parallel", "serial")
    if _is_control(op):
        assert op.hoist == STAYS and op.evaluate is None and op.lower is None
        return
    assert callable(op.evaluate), "numpy meaning (interpreter, folding)"
    if op.storage == ARGUMENT and not op.leaf:
        return                     # a caller's array: read in place, costs nothing itself
    lowerings = [r for r in (op.lower, op.lower_member, op.lower_pass) if r is not None]
    assert lowerings, "lowering (codegen)"
    if op.own_pass:
        assert op.lower_pass is not None and not op.lower and not op.lower_member
    if op.leaf:
        assert op.lower is not None and op.arity == 0, "a leaf is written where it is used"
        return
    assert callable(op.cost), "cost (estimate_performance)"
    if op.elementwise:
        assert op.numpy is not None and op.emit is not None and op.operand_casts is not None


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_every_reduction_has_every_rule(name):
    red = REDUCTIONS[name]
    for dtype in DType:
        assert isinstance(red.result(dtype), DType)
        red.identity(dtype)
    assert "{acc}" in red.update and "{x}" in red.update_statement("a", "b").replace("b", "{x}")
    assert callable(red.pull_numpy) and callable(red.lower_pull)


@pytest.mark.parametrize("name", sorted(NEIGHBOUR_REDUCTIONS))
def test_every_neighbour_reduction_has_every_rule(name):
    red = NEIGHBOUR_REDUCTIONS[name]
    assert name not in REDUCTIONS
    assert callable(red.numpy) and callable(red.lower)
    assert isinstance(red.pull_result(DType.F64), DType)
    if red.better:
        assert red.better in ("<", ">") and red.start is not None


_SAMPLES = {DType.F64: [-2.5, -0.0, 0.0, 1.0, 3.0, np.inf, np.nan],
            DType.I64: [-3, 0, 1, 7], DType.BOOL: [False, True]}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_a_reductions_first_value_is_its_fold_into_the_identity(name):
    """A push stores a target's first offer with ``first_statement``: the same bits as
    folding it into the identity with ``update_statement`` (-0.0 and NaN included)."""
    red = REDUCTIONS[name]
    for dtype, values in _SAMPLES.items():
        acc_dtype = red.result(dtype).numpy
        start = 0.0 if red.needs_count else red.identity(dtype)   # mean folds a sum
        for x in values:
            x = dtype.numpy.type(x)
            folded = np.array([start], acc_dtype)
            first = np.array([folded[0]], acc_dtype)
            env = {"np": np, "folded": folded, "first": first, "x": x}
            with np.errstate(all="ignore"):
                exec(red.update_statement("folded[0]", "x"), env)
                first[0] = -1        # the slot's old contents must not matter
                exec(red.first_statement("first[0]", "x"), env)
            assert folded.tobytes() == first.tobytes(), (name, dtype, x)


class _Reader:
    """Enough of the code generator for an elementwise op's lowering: operands are names."""
    def operands(self, node, read):
        return [read(i) for i in node.inputs]


def _elementwise_cases():
    for name, op in sorted(OPS.items()):
        if not op.elementwise:
            continue
        for dtypes in itertools.product(DType, repeat=op.arity):
            yield name, dtypes


@pytest.mark.parametrize("name,dtypes", list(_elementwise_cases()))
def test_elementwise_lowering_agrees_with_the_numpy_meaning(name, dtypes):
    op = OPS[name]
    types = tuple(Type(Kind.SCALAR, d) for d in dtypes)
    attrs = {"dtype": "f64"} if name == "cast" else {}
    try:
        result = op.infer(types, attrs)
    except gj.KindError:
        return                                      # refused operands: nothing to run
    ids = tuple(f"x{k}" for k in range(op.arity))
    node = Node("%1", name, ids, tuple(sorted(attrs.items())), result)
    casts = op.operand_casts(types, result)
    source = op.lower(_Reader(), node, lambda v: v)
    for values in itertools.product(*(_SAMPLES[d] for d in dtypes)):
        values = [d.numpy.type(v) for d, v in zip(dtypes, values)]
        want = op.evaluate(None, node, values, types)
        env = {"np": np, "abs": abs}
        for k, (v, cast) in enumerate(zip(values, casts)):
            env[f"x{k}"] = v if cast is None else cast.numpy.type(v)
        with np.errstate(all="ignore"):
            got = result.dtype.numpy.type(eval(source, env))
        assert got == want or (np.isnan(got) and np.isnan(want)), (name, values, source)


# --- argmax: one table entry, checked against a direct reading of its definition ----------

def _argmax_reference(G, x):
    """Per node, its in-neighbour with the largest value; ties to the smallest id, -1 if none."""
    out = []
    for v in range(len(x)):
        preds = sorted(G.predecessors(v)) if G.is_directed() else sorted(G.neighbors(v))
        best = -1
        for u in preds:
            if not np.isnan(x[u]) and (best < 0 or x[u] > x[best]):
                best = u
        out.append(best)
    return np.array(out)


@gj.algorithm
def _argmax_pull(sG, scale=1.0):
    values = sG.nodes(unique=True) * scale % 3.0        # many ties
    return sG.builder.pull(values, reduce="argmax")


def test_argmax_pull_matches_its_definition_in_interpreter_and_generated_code():
    plan = _argmax_pull.plan
    kernel = load_python(generate_source(plan))
    for G in (nx.gnp_random_graph(30, 0.15, seed=3, directed=True),
              nx.gnp_random_graph(25, 0.2, seed=4), nx.empty_graph(3)):
        graph = gj.as_graph(G)
        x = np.arange(len(G)) * 1.0 % 3.0
        want = _argmax_reference(G, x)
        np.testing.assert_array_equal(_argmax_pull.interpret(graph).value, want)
        raw = kernel(*kernel_args(graph, bind(plan.ir.params, {}, graph), plan.uses_weights))
        np.testing.assert_array_equal(raw[0], want)


def test_argmax_refuses_bool_values():
    b = gj.AlgorithmBuilder("bad")
    with pytest.raises(gj.KindError, match="argmax.*needs numbers"):
        b.pull(b.init_nodes(True), reduce="argmax")
