"""Graph input: the immutable CSR/CSC :class:`Graph` and its readers."""

from .graph import Graph, as_graph
from .io import read_edgelist, read_matrix_market

__all__ = ["Graph", "as_graph", "read_edgelist", "read_matrix_market"]
