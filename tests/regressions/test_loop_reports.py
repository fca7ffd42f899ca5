"""Loop reports that differ between the kernel and the interpreter (found by fuzzing)."""

import pytest

import groggy_jit as gj

GRAPH = gj.Graph.from_edges([0], [1], num_nodes=2, directed=True)


def test_unentered_convergence_loop_reports_the_same_in_kernel_and_interpreter():
    b = gj.AlgorithmBuilder("unentered")
    x = b.init_nodes(1.0)
    with b.iterate(0) as outer:
        with b.until_converged(x, tol=0.5, max_iter=3) as inner:
            y = inner.set(x, x * 0.5)
        z = outer.set(x, y)
    b.attach_as("x", z)
    algo = b.build()
    quiet = dict(on_nonconvergence="ignore")        # the unentered loop reports converged=False
    assert algo.run(GRAPH, **quiet).loops == algo.interpret(GRAPH, **quiet).loops


def test_sibling_loops_are_reported_in_the_same_order():
    b = gj.AlgorithmBuilder("loop_order")
    x = b.init_nodes(1.0)
    z = b.init_nodes(0.0)
    w = b.init_nodes(5.0)
    with b.iterate(1) as outer:
        with b.until_converged(x, tol=0.3, max_iter=10) as first:     # 3 iterations
            unused = x + w                 # dead; w is carried by the outer loop
            xa = first.set(x, x * 0.5)
        with b.iterate(2) as second:                                   # 2 iterations
            zb = second.set(z, z + 1.0)
        xo = outer.set(x, xa)
        zo = outer.set(z, zb)
        outer.set(w, w + 1.0)
    b.attach_as("x", xo)
    b.attach_as("z", zo)
    algo = b.build()
    # interpret(): outer, second, first.  run(): outer, first, second.
    assert algo.run(GRAPH).loops == algo.interpret(GRAPH).loops
