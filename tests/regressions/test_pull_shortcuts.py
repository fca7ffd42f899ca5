"""Pulls that stop early or skip targets must give what reading every arc gives.

``any``/``all`` stop at the first deciding arc, the smallest neighbour id stops at
the first (unmasked) neighbour of a sorted list, and ``at=`` skips whole targets.
"""

import networkx as nx
import numpy as np
import pytest

import groggy_jit as gj
from groggy_jit.codegen.emit import generate_source
from groggy_jit.codegen.python_mode import load_python
from groggy_jit.dsl.builder import GraphHandle
from groggy_jit.runtime.executor import kernel_args
from groggy_jit.runtime.params import bind

GRAPHS = [
    gj.Graph.from_edges([0, 1, 2, 2, 3, 4, 4, 5], [1, 2, 0, 2, 3, 0, 1, 4], num_nodes=7, directed=True),
    gj.Graph.from_edges([0, 0, 1, 3, 4, 4, 2], [1, 2, 2, 4, 4, 5, 6], num_nodes=8, directed=False),
    gj.Graph.from_edges([], [], num_nodes=3, directed=True),
    gj.Graph.from_networkx(nx.gnp_random_graph(30, 0.2, seed=1, directed=True)),
    gj.Graph.from_networkx(nx.gnp_random_graph(30, 0.2, seed=2)),
]


def shortcut_program() -> gj.Algorithm:
    b = gj.AlgorithmBuilder("pull_shortcuts")
    sG = GraphHandle(b)
    index = sG.nodes(unique=True)
    odd = (index % 2) == 1
    small = index < 12
    for over in ("in", "out", "both"):
        b.attach_as(f"first_{over}", sG.pull(index, over=over, reduce="min", mask=odd))
        b.attach_as(f"last_{over}", sG.pull(index, over=over, reduce="max", mask=odd, at=small))
        b.attach_as(f"any_{over}", sG.pull(odd, over=over, reduce="any", at=small))
        b.attach_as(f"all_{over}", sG.pull(odd, over=over, reduce="all"))
        b.attach_as(f"sum_{over}", sG.pull(index * 1.5, over=over, reduce="sum", at=~small))
        b.attach_as(f"mode_{over}", sG.pull(index % 3, over=over, reduce="mode", at=odd))
    return b.build()


def test_the_generated_code_takes_the_shortcuts():
    source = generate_source(gj.compile_to_batch(shortcut_program())).function
    assert source.count("break") >= 7
    assert "np.int64(in_indices[k])\n" in source


@pytest.mark.parametrize("graph", GRAPHS, ids=["directed", "undirected", "no_arcs", "random_directed", "random_undirected"])
def test_shortcuts_agree_with_the_interpreter_as_python_and_compiled(graph):
    algo = shortcut_program()
    want = algo.interpret(graph).values
    plan = gj.compile_to_batch(algo)
    raw = load_python(generate_source(plan))(*kernel_args(graph, bind(plan.ir.params, {}, graph)))
    as_python = {name: raw[k] for k, (name, _) in enumerate(plan.outputs)}
    compiled = algo.run(graph).values
    for name, value in want.items():
        np.testing.assert_array_equal(as_python[name], value, err_msg=name)
        np.testing.assert_array_equal(compiled[name], value, err_msg=name)
