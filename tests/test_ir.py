"""IR construction, printing, hashing and the basic passes (no Numba needed)."""

import subprocess
import sys

import networkx as nx
import pytest

import groggy_jit as gj
from groggy_jit.errors import CycleError, IRError, KindError, TraceError
from groggy_jit.ir.graph import IRGraph, Node
from groggy_jit.ir.types import DType, Kind, Type
from groggy_jit.passes.cse import cse
from groggy_jit.passes.dce import dce
from groggy_jit.passes.fold import constant_fold
from groggy_jit.passes.manager import optimize


def pagerank_builder_style():
    """PageRank written with the builder; must trace to the same IR as the catalogue's."""
    b = gj.AlgorithmBuilder("pagerank")
    damping = b.param("damping", 0.85)
    max_iter = b.param("max_iter", 100)
    tol = b.param("tol", 1e-6)
    n = b.graph_node_count()
    rank = b.init_nodes(b.core.div(1.0, n))
    deg = b.pull(b.init_nodes(1.0), over="out", weight="weight")      # total out-weight
    with b.until_converged(rank, tol=b.core.mul(tol, n), max_iter=max_iter):
        contrib = b.core.where(b.core.compare(deg, "!=", 0), b.core.div(rank, deg), 0.0)
        sink = b.core.reduce_scalar(b.core.where(b.core.compare(deg, "==", 0), rank, 0.0), "sum")
        pulled = b.pull(contrib, over="in", weight="weight")
        rank = b.var("rank", b.core.add(b.core.div(b.core.sub(1, damping), n),
                                        b.core.mul(damping, b.core.add(pulled, b.core.div(sink, n)))))
    b.attach_as("result", rank)
    return b.build()


def test_builder_and_decorator_give_the_same_ir():
    built = pagerank_builder_style()
    assert built.ir.structural_hash() == gj.pagerank.ir.structural_hash()


def test_ir_exposes_nodes_node_map_and_dependencies():
    ir = gj.pagerank.ir
    assert len(ir.nodes) == len(ir.node_map)
    loop = next(n for n in ir.nodes if n.op == "loop")
    deps = ir.get_dependencies(loop.id)
    assert loop.inputs[0] in deps and loop.attr("stop") in deps
    pull = next(n for n in ir.nodes if n.op == "pull")
    assert ir.get_dependencies(pull.id) == pull.inputs


def test_printing_is_stable_and_names_values():
    text = str(gj.pagerank.ir)
    assert text == str(gj.pagerank.ir)
    assert "pull" in text and "# rank" in text and "0x" not in text
    assert "loop v" in text and "kind=converge" in text


def test_structural_hash_ignores_names_and_parameter_defaults():
    @gj.algorithm("one")
    def a(sG, scale=1.0):
        x = sG.nodes(scale)
        return sG @ x

    @gj.algorithm("other")
    def b(sG, scale=5.0):
        values = sG.nodes(scale)
        summed = sG @ values
        return summed

    assert a.ir.structural_hash() == b.ir.structural_hash()
    assert a.plan.plan_hash == b.plan.plan_hash


def test_structural_hash_is_stable_across_processes():
    code = ("import groggy_jit as gj; print(gj.pagerank.ir.structural_hash(), "
            "gj.pagerank.plan.plan_hash)")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={"PYTHONHASHSEED": seed, "PATH": ""}, check=True).stdout
            for seed in ("1", "2")}
    assert len(outs) == 1
    assert outs.pop().split()[0] == gj.pagerank.ir.structural_hash()


def _scalar_graph():
    b = gj.AlgorithmBuilder("t")
    x, y = b.param("x", 1.0), b.param("y", 2.0)
    return b, x, y


def test_cse_merges_commutative_ops_but_never_a_minus_b_with_b_minus_a():
    b, x, y = _scalar_graph()
    b.attach_as("s1", x + y)
    b.attach_as("s2", y + x)
    b.attach_as("d1", x - y)
    b.attach_as("d2", y - x)
    ir = b.ir.copy()
    assert cse(ir) == 1
    outs = dict(ir.outputs)
    assert outs["s1"] == outs["s2"]
    assert outs["d1"] != outs["d2"]


def test_dce_removes_unused_values_only():
    b, x, y = _scalar_graph()
    unused = (x * y).sqrt()
    b.attach_as("out", x + 1.0)
    ir = b.ir.copy()
    removed = dce(ir)
    assert removed == 2
    assert unused.node_id not in ir.node_map


def test_constant_folding_uses_numpy_semantics():
    b = gj.AlgorithmBuilder("t")
    one = b.constant(1.0)
    b.attach_as("inf", one / 0.0)
    b.attach_as("int", b.constant(7) // 2)
    ir = b.ir.copy()
    assert constant_fold(ir) == 2
    values = {name: ir.node_map[nid].attr("value") for name, nid in ir.outputs}
    assert values == {"inf": float("inf"), "int": 3}


def test_optimize_level_zero_changes_nothing():
    ir, report = optimize(gj.pagerank.ir, level=0)
    assert ir.pretty() == gj.pagerank.ir.pretty()
    assert report.changes == []


def test_hand_built_cycle_is_reported_with_its_path():
    ir = IRGraph("cyclic")
    t = Type(Kind.SCALAR, DType.F64)
    ir.add_node(Node("%a", "add", ("%b", "%c"), (), t))
    ir.add_node(Node("%b", "neg", ("%a",), (), t))
    ir.add_node(Node("%c", "const", (), (("dtype", "f64"), ("value", 1.0)), t))
    ir.outputs.append(("x", "%a"))
    with pytest.raises(CycleError, match=r"%a \(add\) -> %b \(neg\) -> %a"):
        gj.compile_to_batch(ir)


def test_carries_are_found_from_reassigned_names():
    @gj.algorithm
    def counter(sG, steps=3):
        x = sG.nodes(0.0)
        total = sG.N * 0
        with sG.iterate(steps):
            x = x + 1.0
            total = total + 1
        return {"x": x, "total": total}

    ir = counter.ir
    loop = next(n for n in ir.nodes if n.op == "loop")
    carried = sorted(c.hint for c, _ in ir.carries(loop.id))
    assert carried == ["total", "x"]


def test_var_without_a_prior_value_is_an_error():
    @gj.algorithm
    def bad(sG):
        with sG.iterate(2):
            y = sG.var("y", sG.nodes(1.0))
        return y

    with pytest.raises(TraceError, match="no value before the loop"):
        bad.ir


def test_loop_carry_must_keep_its_type():
    @gj.algorithm
    def bad(sG):
        x = sG.nodes(0)
        with sG.iterate(2):
            x = x + 0.5
        return x

    with pytest.raises(TraceError, match="changes type"):
        bad.ir


def test_kind_errors_name_the_problem():
    b = gj.AlgorithmBuilder("t")
    with pytest.raises(KindError, match="bool condition"):
        b.core.where(b.init_nodes(1.0), 1.0, 2.0)
    with pytest.raises(KindError, match="scalar"):
        b.core.broadcast_scalar(b.init_nodes(1.0), None)
    with pytest.raises(KindError, match="unknown reduction"):
        b.init_nodes(1.0).reduce("median")


def test_value_used_after_its_loop_is_an_error():
    @gj.algorithm
    def leak(sG):
        x = sG.nodes(1.0)
        with sG.iterate(3):
            y = x * 2
            x = y + 1
        return y + x

    with pytest.raises(IRError, match="inside a loop"):
        leak.ir


def test_each_runs_once_per_member_in_ascending_order():
    @gj.algorithm("member_order")
    def member_order(sG, subset: gj.NodeValues = True):
        index = sG.nodes(unique=True)
        seen = sG.nodes(-1)
        order = sG.N * 0
        with sG.each(subset) as node:
            seen = (index == node).where(order, seen)    # -1 (a shared constant) stays -1
            order = order + 1
        return {"seen": seen, "rounds": order}

    out = member_order.interpret(nx.path_graph(6), subset={4, 1, 3})
    assert out.value["seen"].tolist() == [-1, 0, -1, 1, 2, -1]
    assert out.value["rounds"] == 3 and out.loops[0].iterations == 3
    with pytest.raises(TraceError, match="each\\(\\) walks the members of a bool node map"):
        @gj.algorithm("member_of_a_number")
        def bad(sG):
            with sG.each(sG.nodes(1.0)) as node:
                pass
            return sG.nodes(0.0)
        bad.ir
