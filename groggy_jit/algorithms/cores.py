"""k-cores."""

from ..driver import EdgeWeights
from .registry import register

__all__ = ["core_number"]


@register("core_number", EdgeWeights(None, None, None))
def core_number(sG):
    """Core number of every node: the largest k such that it is in the k-core.

    The k-core is what remains after repeatedly deleting nodes of degree < k.
    Peels level by level: for k = 1, 2, ... it removes, round after round, the
    remaining nodes with fewer than k remaining neighbours; they get core k - 1.
    Degrees count both directions of a directed graph, as networkx does.

    Returns
    -------
    ndarray of int64
        The core number of every node (``{node: k}`` for networkx input).

    Notes
    -----
    O(m) per peeling round; self loops count as neighbours (networkx refuses
    graphs with self loops). Multigraphs are refused, as in networkx.

    References
    ----------
    .. [1] Batagelj, V., Zaversnik, M. "An O(m) algorithm for cores decomposition
       of networks." 2003.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> G = nx.complete_graph(4)
    >>> G.add_edge(3, 4)
    >>> gj.core_number(G)
    {0: 3, 1: 3, 2: 3, 3: 3, 4: 1}
    """
    alive = sG.nodes(True)
    core = sG.nodes(0)
    k = sG.N * 0
    with sG.while_any(alive):
        k = k + 1
        peel = alive & (sG.pull(alive, over="both", reduce="count") < k)
        with sG.while_any(peel):
            core = peel.where(k - 1, core)
            alive = alive & ~peel
            peel = alive & (sG.pull(alive, over="both", reduce="count") < k)
    return core
