"""The kernel ABI: what a generated kernel takes and returns, for codegen and the executor.

A kernel takes the graph's arguments below, in this order (the last, ``interrupt``,
is a one-element array the caller sets to stop every loop at the end of its
current round, for Ctrl-C), then the run arguments, then the parameters sorted by
name; it returns a tuple of the plan's outputs, in plan order, then ``loop_info``
(one row per loop: iterations run, converged 1 / not 0 / fixed loop -1, rounds
pushed from a frontier list, rounds pulled into every node), then
``loop_residual`` (one float per loop: what its convergence test compared with
``tol`` in its last round, NaN for loops without a test or that never ran).
"""

from __future__ import annotations

# name -> its type in the generated signature (INDEX and WEIGHTS are defined there)
GRAPH_ARGUMENTS = {
    "n": "types.int64",
    "directed": "types.boolean",
    "in_indptr": "INDEX",
    "in_indices": "INDEX",
    "out_indptr": "INDEX",
    "out_indices": "INDEX",
    "in_weights": "WEIGHTS",
    "out_weights": "WEIGHTS",
    "interrupt": "types.int64[::1]",
}


# how a run executes, never what it computes
RUN_ARGUMENTS = {"schedule": "types.int64"}
# schedule= of a run: choose per round, or force one direction for every frontier round
SCHEDULES = {"auto": 0, "push": 1, "pull": 2}


def parameter_order(names) -> list[str]:
    """The order parameters follow the graph arguments in."""
    return sorted(names)


def unpack_results(output_names, raw) -> tuple[dict, object, object]:
    """A kernel's return value as ({output name: value}, loop_info, loop_residual)."""
    return {name: raw[k] for k, name in enumerate(output_names)}, raw[-2], raw[-1]
