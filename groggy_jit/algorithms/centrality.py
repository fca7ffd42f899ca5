"""Degree centrality."""

from .registry import register

__all__ = ["degree_centrality"]


@register("degree_centrality")
def degree_centrality(sG):
    """Degree of every node divided by ``n - 1``, as networkx computes it.

    In a directed graph the degree is in-degree plus out-degree.

    Returns
    -------
    ndarray or dict
        One value per node (``{node: value}`` for networkx input).

    Notes
    -----
    O(n). A graph with one node gets centrality 1, as in networkx.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> gj.degree_centrality(nx.path_graph(3))
    {0: 0.5, 1: 1.0, 2: 0.5}
    """
    n = sG.N
    deg = sG.nodes(0.0).degrees(over="both")
    return (n > 1).where(deg / (n - 1), 1.0)
