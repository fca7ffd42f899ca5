"""How a graph and bound parameters become the kernel's arguments (see ``codegen.abi``)."""

from __future__ import annotations

import numpy as np

from ..codegen.abi import GRAPH_ARGUMENTS, SCHEDULES, parameter_order
from ..graph import Graph

_NO_WEIGHTS = np.zeros(0, dtype=np.float64)
_NO_WEIGHTS.flags.writeable = False


def unit_weights(graph: Graph) -> np.ndarray:
    """All-ones weights, one per arc, read-only: what an unweighted graph's arcs weigh."""
    ones = np.ones(graph.num_edges, dtype=np.float64)
    ones.flags.writeable = False
    return ones


def edge_weights(graph: Graph, needed: bool,
                 ones: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The graph's weights; all ones for an unweighted graph when a kernel reads them
    (``ones``, if the caller keeps them for many calls, else made here)."""
    if graph.weighted:
        return graph.in_weights, graph.out_weights
    if not needed:
        return _NO_WEIGHTS, _NO_WEIGHTS
    ones = unit_weights(graph) if ones is None else ones
    return ones, ones


def kernel_args(graph: Graph, params: dict, uses_weights: bool = False,
                interrupt: np.ndarray | None = None, schedule: str = "auto",
                ones: np.ndarray | None = None) -> tuple:
    """The kernel's arguments; ``interrupt`` (one int64, 0) is the caller's stop flag,
    ``schedule`` how frontier rounds run (``abi.SCHEDULES``), ``ones`` as for
    ``edge_weights``."""
    in_w, out_w = edge_weights(graph, uses_weights, ones)
    values = {"n": np.int64(graph.num_nodes), "directed": bool(graph.directed),
              "in_indptr": graph.in_indptr, "in_indices": graph.in_indices,
              "out_indptr": graph.out_indptr, "out_indices": graph.out_indices,
              "in_weights": in_w, "out_weights": out_w,
              "interrupt": np.zeros(1, np.int64) if interrupt is None else interrupt}
    return (*(values[name] for name in GRAPH_ARGUMENTS), np.int64(SCHEDULES[schedule]),
            *(params[name] for name in parameter_order(params)))
