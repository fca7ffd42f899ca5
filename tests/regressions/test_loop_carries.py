"""Loop carries and scopes that the DSL gets wrong (found while writing the fuzzer)."""

import numpy as np
import pytest

import groggy_jit as gj

GRAPH = gj.Graph.from_edges([0], [1], num_nodes=2, directed=True)


def test_carrying_a_constant_leaves_other_uses_of_that_number_alone():
    b = gj.AlgorithmBuilder("constant_carry")
    c = b.constant(2.0)
    x = b.init_nodes(1.0)
    with b.iterate(3) as loop:
        c_final = loop.set(c, c + 1.0)               # 2 -> 3 -> 4 -> 5
        x_final = loop.set(x, x * 2.0)               # 1 -> 2 -> 4 -> 8
    b.attach_as("c", c_final)
    b.attach_as("x", x_final)
    values = b.build().interpret(GRAPH).values
    assert values["c"] == 5.0
    np.testing.assert_array_equal(values["x"], [8.0, 8.0])    # got [24, 24]: x * 2 * 3 * 4


@pytest.mark.parametrize("count", [3, 0])
def test_a_loop_local_value_used_after_the_loop_is_an_error_everywhere(count):
    b = gj.AlgorithmBuilder("leak")
    x = b.init_nodes(1.0)
    with b.iterate(count) as loop:
        t = x + 1.0
        loop.set(x, t)
    with pytest.raises(gj.GroggyJITError):
        b.attach_as("u", t * 2.0)
        b.build().interpret(GRAPH)
