"""Link prediction scores of arbitrary node pairs, from their common neighbours."""

from ..driver import EdgeWeights
from ..dsl.trace import NodePairs
from .registry import register

__all__ = ["link_prediction"]


@register("link_prediction", EdgeWeights(None, None, None))
def link_prediction(sG, pairs: NodePairs = None):
    """networkx's link prediction scores of every given pair of an undirected graph.

    Parameters
    ----------
    pairs : (k, 2) integer array of node indices, sequence of (u, v) node pairs, or None
        The pairs to score (networkx labels for networkx input); a pair may repeat or
        join a node to itself. None (the default): every pair u < v of distinct nodes
        without an edge, in increasing (u, v) (networkx's ``ebunch=None`` scores the
        same pairs, in the order of its ``non_edges``).

    Returns
    -------
    dict of ndarray
        One value per pair, in the given order: ``common_neighbors``
        (``|N(u) ∩ N(v) \\ {u, v}|``, as ``networkx.common_neighbors``), ``jaccard``
        (``networkx.jaccard_coefficient``: the common neighbours over ``|N(u) ∪ N(v)|``,
        0 where the union is empty), ``resource_allocation``
        (Σ 1/d(w) over the common neighbours w other than u and v), ``adamic_adar``
        (Σ 1/log d(w); ``inf`` where a common neighbour has degree 1, which networkx
        divides by zero for) and ``preferential_attachment`` (d(u) d(v)), with d the
        degree as networkx counts it (a self loop twice). Multigraphs and directed
        graphs are refused.

    Notes
    -----
    For every pair, merges of the two sorted neighbour lists: O(Σ_pairs (d_u + d_v)),
    parallel over the pairs. Sums add the common neighbours in increasing node order.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> scores = gj.link_prediction(nx.path_graph(4), pairs=[(0, 2), (0, 3)])
    >>> scores["jaccard"].tolist(), scores["preferential_attachment"].tolist()
    ([0.5, 0.0], [2, 1])
    """
    sG.require("undirected")
    index = sG.nodes(unique=True)
    loops = sG.pull_edges((sG.src(index) == sG.dst(index)).astype("i64"))
    distinct = sG.nodes(0).degrees(over="in")        # distinct neighbours, itself once
    degree = distinct + loops                          # networkx counts a self loop twice
    u, v = sG.pair_ends(pairs)
    union = distinct[u] + distinct[v] - sG.pair_common(u, v, ends="included")
    common = sG.pair_common(u, v)
    return {"common_neighbors": common, "jaccard": (union > 0).where(common / union, 0.0),
            "resource_allocation": sG.pair_common(u, v, 1 / degree),
            "adamic_adar": sG.pair_common(u, v, 1 / degree.log()),
            "preferential_attachment": degree[u] * degree[v]}
