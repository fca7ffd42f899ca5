"""How a graph and bound parameters become the kernel's arguments."""

from __future__ import annotations

import numpy as np

from ..graph import Graph

# The fixed leading arguments of every kernel, before the parameters (sorted by name).
GRAPH_ARGUMENTS = ("n", "directed", "in_indptr", "in_indices", "out_indptr", "out_indices")


def kernel_args(graph: Graph, params: dict) -> tuple:
    return (np.int64(graph.num_nodes), bool(graph.directed), graph.in_indptr, graph.in_indices,
            graph.out_indptr, graph.out_indices, *(params[name] for name in sorted(params)))
