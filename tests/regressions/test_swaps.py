"""Loop-carried arrays that trade places instead of being copied (found by differential fuzzing).

Written as a plain ``a, b = b, a``, the swap sent Numba's parallel copy propagation
into an endless loop whenever the loop's trip count was a constant: the kernel never
finished compiling.  These kernels must compile, swap, and agree with the interpreter.
"""

import numpy as np

import groggy_jit as gj
from groggy_jit.dsl.builder import GraphHandle

GRAPHS = [
    gj.Graph.from_edges([0, 1, 2, 2, 3], [1, 2, 0, 2, 3], num_nodes=6, directed=True),
    gj.Graph.from_edges([0, 0, 1, 3], [1, 2, 2, 4], num_nodes=5, directed=False),
]


def assert_matches_interpreter(algo: gj.Algorithm) -> None:
    assert "swapped(" in algo.source.split("def kernel", 1)[1], "expected the carry to swap"
    for graph in GRAPHS:
        got, want = algo.run(graph), algo.interpret(graph)
        for name in want.values:
            np.testing.assert_allclose(got.values[name], want.values[name], rtol=1e-12)


def test_constant_trip_count_with_swapped_node_and_edge_maps_compiles():
    b = gj.AlgorithmBuilder("constant_trip_swaps")
    sG = GraphHandle(b)
    x = b.init_nodes(1.0)
    e = sG.edge_weights()
    with b.iterate(2) as loop:
        # x_next reads x at neighbours, so x's carry needs a second array, and the two swap
        e_next = loop.set(e, sG.src(sG.pull_edges(e * 0.5, reduce="max")))
        x_next = loop.set(x, sG.pull(x, reduce="sum") + sG.pull_edges(e_next, reduce="sum"))
    b.attach_as("x", x_next)
    b.attach_as("e", e_next)
    assert_matches_interpreter(gj.Algorithm.from_ir(b.build().ir))


def test_swaps_inside_a_nested_loop_compile():
    b = gj.AlgorithmBuilder("nested_swaps")
    sG = GraphHandle(b)
    x = b.init_nodes(1.0)
    with b.iterate(3) as outer:
        y = b.init_nodes(0.0) + x
        with b.iterate(2) as inner:
            y_next = inner.set(y, sG.pull(y, reduce="max") * 0.5 + x)
        x_next = outer.set(x, y_next + 1.0)
    b.attach_as("x", x_next)
    assert_matches_interpreter(gj.Algorithm.from_ir(b.build().ir))
