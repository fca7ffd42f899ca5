"""Edge maps carried through loops (found by differential fuzzing)."""

import numpy as np

import groggy_jit as gj
from groggy_jit.dsl.builder import GraphHandle


def test_an_edge_map_loop_result_survives_a_later_loop_that_carries_it():
    b = gj.AlgorithmBuilder("edge_carry_alias")
    sG = GraphHandle(b)
    w = sG.edge_weights()
    with b.iterate(1) as first:
        w1 = first.set(w, w * 2.0)            # 2.0 on every arc
    with b.iterate(1) as second:
        w2 = second.set(w1, w1 + 10.0)        # 12.0 on every arc
    b.attach_as("w1", w1)
    b.attach_as("w2", w2)
    algo = gj.Algorithm.from_ir(b.build().ir, opt_level=0)
    graph = gj.Graph.from_edges([0, 1], [1, 2], num_nodes=3, directed=True)
    got = algo.run(graph).values
    np.testing.assert_array_equal(got["w1"], [2.0, 2.0])      # got [12, 12]
    np.testing.assert_array_equal(got["w2"], [12.0, 12.0])
