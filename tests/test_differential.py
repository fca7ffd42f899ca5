"""Differential tests: random programs on random graphs, run three (or four) ways.

The reference interpreter (plain numpy over the IR) gives each program its meaning.
The generated kernel source, run as plain Python without Numba, must agree with
it both with no optimization passes (``opt_level=0``) and with all of them
(``opt_level=1``); a fixed sample is also compiled with Numba and must agree.
Floats are compared with a tight tolerance, integers and bools exactly, and every
loop must report the same iteration count and convergence flag, and a final
residual equal within the same tolerance.

``GROGGY_JIT_FUZZ_EXAMPLES`` scales the number of examples per test and
``GROGGY_JIT_FUZZ_RANDOM=1`` explores new random programs instead of the fixed,
reproducible set a normal run checks.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import groggy_jit as gj
from groggy_jit.codegen.abi import unpack_results
from groggy_jit.codegen.emit import generate_source
from groggy_jit.codegen.python_mode import load_python
from groggy_jit.driver import loop_reports, loop_rows
from groggy_jit.ir.types import DType
from groggy_jit.runtime.executor import kernel_args
from groggy_jit.runtime.params import bind
from groggy_jit.runtime.result import LoopReport
from strategies import Limits, graph_code, graphs, program_from_seed, programs, rebuild

EXAMPLES = int(os.environ.get("GROGGY_JIT_FUZZ_EXAMPLES", "400"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("GROGGY_JIT_FUZZ_RANDOM") != "1",
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much, HealthCheck.large_base_example],
)

STRAIGHT = Limits(steps=14, loops=0)
LOOPS = Limits(steps=8, body_steps=6, loops=2, depth=1)
NESTED = Limits(steps=6, body_steps=5, loops=2, depth=2, max_iter=3)


# --- running a program ------------------------------------------------------------------

def python_kernel(algorithm: gj.Algorithm, opt_level: int):
    """The plan at ``opt_level`` and its generated source loaded as plain Python."""
    plan = gj.compile_to_batch(algorithm, opt_level=opt_level)
    return plan, load_python(generate_source(plan))


def kernel_reports(plan, raw) -> list[LoopReport]:
    """A kernel's ``loop_info`` and ``loop_residual`` as loop reports, read as ``run()``
    reads them."""
    _, info, residuals = unpack_results((), raw)
    loops = max(plan.num_loops, 1)
    assert info.shape == (loops, 4), f"loop_info has shape {info.shape}"
    assert residuals.shape == (loops,), f"loop_residual has shape {residuals.shape}"
    return loop_reports(loop_rows(plan), info, residuals)


def assert_same_loops(got, reference_loops, label: str) -> None:
    assert len(got) == len(reference_loops), \
        f"{label}: {len(got)} loops reported, expected {len(reference_loops)}"
    for k, (g, w) in enumerate(zip(got, reference_loops)):
        assert (g.iterations, g.converged) == (w.iterations, w.converged), \
            f"{label}: loop #{k} reported (iterations, converged) = " \
            f"{(g.iterations, g.converged)}, expected {(w.iterations, w.converged)}"
        assert (g.residual is None) == (w.residual is None), \
            f"{label}: loop #{k} residual {g.residual}, expected {w.residual}"
        if w.residual is not None:
            np.testing.assert_allclose(g.residual, w.residual, rtol=1e-9, atol=1e-12,
                                       equal_nan=True, err_msg=f"{label}: loop #{k} residual")


def assert_same_value(got, want, dtype: DType, what: str) -> None:
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
    assert want.dtype == dtype.numpy, f"{what}: the interpreter gave {want.dtype}, IR says {dtype}"
    assert got.dtype.kind == dtype.numpy.kind, f"{what}: dtype {got.dtype}, expected {dtype}"
    if dtype is DType.F64:
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, equal_nan=True,
                                   err_msg=what)
    else:
        np.testing.assert_array_equal(got, want, err_msg=what)


def assert_agrees(algorithm, reference, values: dict, loops, label: str) -> None:
    """Outputs and loop reports of one implementation against the interpreter's."""
    ir = algorithm.ir
    for name, node_id in ir.outputs:
        assert_same_value(values[name], reference.values[name], ir.node_map[node_id].type.dtype,
                          f"{label}: output {name!r}")
    assert_same_loops(loops, reference.loops, label)


def describe(program, graph) -> str:
    return f"\n{program.code}\nparams = {program.params!r}\ngraph = {graph_code(graph)}"


def check_program(program, graph_list) -> None:
    """Interpreter vs generated source at opt_level 0 and 1 on each graph; a plan with
    frontier rounds runs in every schedule (bit for bit on integers and bools)."""
    kernels = [python_kernel(program.algorithm, level) for level in (0, 1)]
    for graph in graph_list:
        params = program.params_on(graph)
        reference = program.algorithm.interpret(graph, on_nonconvergence="ignore", **params)
        for level, (plan, kernel) in enumerate(kernels):
            bound = bind(plan.ir.params, params, graph)
            for schedule in ("auto", "push", "pull") if plan.frontiers else ("auto",):
                raw = kernel(*kernel_args(graph, bound, plan.uses_weights, schedule=schedule))
                values = {name: raw[k] for k, (name, _) in enumerate(plan.outputs)}
                try:
                    assert_agrees(program.algorithm, reference, values,
                                  kernel_reports(plan, raw),
                                  f"source at opt_level={level}, schedule={schedule}")
                except AssertionError as e:
                    raise AssertionError(f"{e}\n{describe(program, graph)}") from None


# --- interpreter vs generated source --------------------------------------------------------

@FUZZ
@given(programs(STRAIGHT), st.lists(graphs(), min_size=1, max_size=3))
def test_straight_line_programs(program, graph_list):
    check_program(program, graph_list)


@FUZZ
@given(programs(LOOPS), st.lists(graphs(), min_size=1, max_size=3))
def test_loop_programs(program, graph_list):
    check_program(program, graph_list)


@FUZZ
@given(programs(NESTED), st.lists(graphs(), min_size=1, max_size=2))
def test_nested_loop_programs(program, graph_list):
    check_program(program, graph_list)


@FUZZ
@given(programs(), st.lists(graphs(max_nodes=3), min_size=1, max_size=3))
def test_programs_on_tiny_graphs(program, graph_list):
    check_program(program, graph_list)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(programs())
def test_recorded_code_rebuilds_the_same_program(program):
    assert rebuild(program.code).ir.structural_hash() == program.algorithm.ir.structural_hash()


# --- a sample compiled with Numba -----------------------------------------------------------

NUMBA_SAMPLE = 15  # a compile each; frontier schedules are compiled in test_frontier
SMALL = Limits(steps=8, body_steps=4, loops=1, depth=2, max_iter=3, outputs=2)


def numba_sample() -> list:
    """The first ``NUMBA_SAMPLE`` seeded programs whose optimized plan has a neighbour
    pull or a loop and some parallel work: the same programs on every run."""
    chosen, seed = [], 0
    while len(chosen) < NUMBA_SAMPLE:
        program = program_from_seed(seed, SMALL)
        seed += 1
        plan = gj.compile_to_batch(program.algorithm)
        ops = {n.op for n in plan.ir.nodes}
        if plan.groups() and ops & {"pull", "loop"} and len(plan.ir.nodes) <= 40:
            chosen.append((seed - 1, program))
    return chosen


def sample_graphs() -> list[gj.Graph]:
    return [
        gj.Graph.from_edges([], [], num_nodes=0, directed=True),
        gj.Graph.from_edges([], [], num_nodes=1, directed=False),
        gj.Graph.from_edges([0, 1, 2, 2, 3], [1, 2, 0, 2, 3], num_nodes=6, directed=True),
        gj.Graph.from_edges([0, 0, 1, 3, 4, 4], [1, 2, 2, 4, 4, 5], num_nodes=7, directed=False),
        gj.Graph.from_edges(*star_and_ring(40), num_nodes=40, directed=True),
        gj.Graph.from_edges([0, 1, 2, 3, 3], [1, 2, 0, 3, 0], weights=[0.5, 2.0, -1.0, 3.25, 8.0],
                            num_nodes=5, directed=False),
    ]


def star_and_ring(n: int):
    src = list(range(1, n)) + list(range(n))
    dst = [0] * (n - 1) + [(v + 1) % n for v in range(n)]
    return src, dst


def test_numba_kernels_agree_with_the_interpreter():
    """A fixed sample of small programs, each compiled once with Numba and run on 6 graphs."""
    graph_list = sample_graphs()
    for seed, program in numba_sample():
        for graph in graph_list:
            params = program.params_on(graph)
            reference = program.algorithm.interpret(graph, on_nonconvergence="ignore", **params)
            frontier = gj.compile_to_batch(program.algorithm).frontiers
            for schedule in ("auto", "push", "pull") if frontier else ("auto",):
                result = program.algorithm.run(graph, on_nonconvergence="ignore",
                                               schedule=schedule, **params)
                try:
                    assert_agrees(program.algorithm, reference, result.values, result.loops,
                                  f"Numba kernel (seed {seed}, schedule={schedule})")
                except AssertionError as e:
                    raise AssertionError(f"{e}\n{describe(program, graph)}") from None
