"""PageRank."""

from ..driver import EdgeWeights
from ..dsl.trace import NodeValues
from ..ir.domains import NodeWeights, NonNegative, NonNegativeInt, Probability
from .registry import register

# networkx's pagerank reads the "weight" attribute by default and counts parallel edges
_WEIGHTS = EdgeWeights("weight", "weight", "sum")


def _out_weight(sG):
    """Every node's total out-weight (its out-degree on an unweighted graph)."""
    return sG.pull(sG.nodes(1.0), over="out", weight="weight")

__all__ = ["pagerank", "personalized_pagerank"]


@register("pagerank", _WEIGHTS)
def pagerank(sG, damping: Probability = 0.85, max_iter: NonNegativeInt = 100,
             tol: NonNegative = 1e-6):
    """PageRank by power iteration, with networkx's conventions.

    Parameters
    ----------
    sG : graph
        A ``Graph``, scipy sparse matrix or networkx graph. Undirected edges
        count in both directions; a multigraph's parallel edges each count.
    damping : float
        Probability of following a link (networkx's ``alpha``).
    max_iter : int
        Iterations at most.
    tol : float
        Stop when the L1 change of the ranks in one iteration is below
        ``n * tol`` (networkx's rule).
    weight : str or None
        Edge attribute holding the weight (an edge without it weighs 1), as in
        networkx; None: every edge weighs 1.

    Returns
    -------
    ndarray or dict
        Rank of every node, summing to 1; ``{node: rank}`` for networkx input.
        ``pagerank.run(G)`` returns a ``Result`` that also reports
        ``iterations``, ``converged`` and ``residual`` (the last L1 change).

    Notes
    -----
    A node follows each out-edge in proportion to its weight. Rank of
    dangling nodes (no out-weight) is spread uniformly over all nodes.
    Each iteration is one pass over the nodes and one over the in-edges:
    O(n + m) work, and linear convergence at rate ``damping``.

    References
    ----------
    .. [1] Page, Brin, Motwani, Winograd. "The PageRank citation ranking:
       bringing order to the web." Stanford InfoLab, 1999.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp, groggy_jit as gj
    >>> ring = sp.csr_array(np.roll(np.eye(4), 1, axis=1))
    >>> gj.pagerank(ring).round(3).tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    n = sG.N
    rank = sG.nodes(1.0 / n)
    deg = _out_weight(sG)
    with sG.until_converged(rank, tol=tol * n, max_iter=max_iter):
        contrib = (deg != 0).where(rank / deg, 0.0)
        sink = (deg == 0).where(rank, 0.0).reduce("sum")
        followed = sG.pull(contrib, over="in", weight="weight")
        rank = sG.builder.var("rank", (1 - damping) / n + damping * (followed + sink / n))
    return rank


@register("personalized_pagerank", _WEIGHTS)
def personalized_pagerank(sG, personalization: NodeWeights = 1.0, damping: Probability = 0.85,
                          max_iter: NonNegativeInt = 100, tol: NonNegative = 1e-6,
                          nstart: NodeValues = 1.0, dangling: NodeValues = 1.0,
                          dangling_given=False):
    """PageRank whose random surfer teleports by ``personalization`` (networkx semantics).

    Parameters
    ----------
    personalization : dict {node: weight}, one weight per node, or a scalar
        Where teleports (and, as in networkx by default, dangling mass) land,
        in proportion to the weights; nodes left out of a dict get 0. The
        weights must not all be zero. ``{source: 1}`` concentrates rank around
        ``source``; the default, equal weights, is plain PageRank.
    damping, max_iter, tol, weight
        As for :func:`pagerank`.
    nstart : dict {node: value} or one value per node
        Starting ranks, scaled to sum 1; equal by default.
    dangling : dict {node: weight} or one value per node
        With ``dangling_given``, where the rank of dangling nodes goes (in
        proportion); otherwise it follows ``personalization``, as in networkx.

    Returns
    -------
    ndarray or dict
        Rank of every node, summing to 1.

    Examples
    --------
    Restarting at node 0 of a path, the middle node 1 still ranks above it: it
    collects from both ends. networkx agrees.

    >>> import networkx as nx, groggy_jit as gj
    >>> G = nx.path_graph(3)
    >>> r = gj.personalized_pagerank(G, personalization={0: 1})
    >>> {v: round(x, 3) for v, x in r.items()}
    {0: 0.345, 1: 0.459, 2: 0.195}
    >>> expected = nx.pagerank(G, personalization={0: 1})
    >>> max(abs(r[v] - expected[v]) for v in G) < 1e-6
    True
    """
    n = sG.N
    home = personalization / personalization.reduce("sum")
    sinks = dangling_given.where(dangling / dangling.reduce("sum"), home)
    rank = nstart / nstart.reduce("sum")
    deg = _out_weight(sG)
    with sG.until_converged(rank, tol=tol * n, max_iter=max_iter):
        contrib = (deg != 0).where(rank / deg, 0.0)
        sink = (deg == 0).where(rank, 0.0).reduce("sum")
        followed = sG.pull(contrib, over="in", weight="weight")
        rank = sG.var("rank", damping * (followed + sink * sinks) + (1 - damping) * home)
    return rank
