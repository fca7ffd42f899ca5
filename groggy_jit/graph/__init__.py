"""Graph input: the immutable CSR/CSC :class:`Graph` and its readers."""

from .graph import Graph, as_graph
from .io import read_edgelist, read_matrix_market
from .formats import read_graph

__all__ = ["Graph", "as_graph", "read_edgelist", "read_matrix_market", "read_graph"]
