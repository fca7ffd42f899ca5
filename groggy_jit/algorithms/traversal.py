"""Breadth-first search and single-source shortest paths."""

from ..driver import EdgeWeights
from ..dsl.trace import NodeId, NodeValues
from ..ir.domains import Positive
from .registry import register

# networkx's Dijkstra: the "weight" attribute by default, the lightest parallel edge
_DISTANCES = EdgeWeights("weight", "weight", "min")

__all__ = ["bfs", "bfs_depth", "sssp", "sssp_delta"]


@register("bfs")
def bfs(sG, source: NodeId = 0):
    """Breadth-first search levels and parents from ``source`` along out-edges.

    Parameters
    ----------
    source : node
        Start node: an index, or a node label for networkx input.

    Returns
    -------
    dict of ndarray
        ``depth``: hops from ``source`` (-1 when unreachable); ``parent``: the
        smallest-index neighbour one level closer (``source`` for itself, -1
        when unreachable). Parents are node indices (positions in the graph's
        node order), also for networkx input.

    Notes
    -----
    Level-synchronous, pull style ("bottom-up"): each round every unvisited
    node scans its in-neighbours until it meets one in the frontier; visited
    nodes read no arcs. At most O(m) per level, at most n levels.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> out = gj.bfs(nx.path_graph(4), source=1)
    >>> out["depth"], out["parent"]
    ({0: 1, 1: 0, 2: 1, 3: 2}, {0: 1, 1: 1, 2: 1, 3: 2})
    """
    index = sG.nodes(unique=True)
    frontier = index == source
    depth = frontier.where(0, -1)
    parent = frontier.where(index, -1)
    level = sG.N * 0
    with sG.while_any(frontier):
        level = level + 1
        nearest = sG.pull(index, over="in", reduce="min", mask=frontier, at=depth < 0)
        frontier = (depth < 0) & (nearest < sG.N)
        depth = frontier.where(level, depth)
        parent = frontier.where(nearest, parent)
    return {"depth": depth, "parent": parent}


@register("bfs_depth")
def bfs_depth(sG, sources: NodeValues = False):
    """Hops from the nearest of several ``sources`` along out-edges (-1 when unreachable).

    Parameters
    ----------
    sources : set of nodes, or one bool per node
        Where the search starts; ``networkx.bfs_layers(G, sources)`` groups the
        nodes by this depth.

    Notes
    -----
    Level-synchronous and pull style, like :func:`bfs`: O(m) per level at most.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> gj.bfs_depth(nx.path_graph(5), sources={0, 4})
    {0: 0, 1: 1, 2: 2, 3: 1, 4: 0}
    """
    frontier = sources
    depth = frontier.where(0, -1)
    level = sG.N * 0
    with sG.while_any(frontier):
        level = level + 1
        frontier = sG.pull(frontier, over="in", reduce="any", at=depth < 0)
        depth = frontier.where(level, depth)
    return depth


@register("sssp", _DISTANCES)
def sssp(sG, source: NodeId = 0):
    """Shortest path distances from ``source`` along out-edges, by frontier Bellman-Ford.

    Edge weights are the graph's weights, for networkx input its ``weight``
    attribute (1 where it is missing) as in ``networkx.single_source_dijkstra``;
    ``weight=None`` counts hops. Of a multigraph's parallel edges the lightest
    counts. Weights must not be negative.

    Returns
    -------
    ndarray of float64
        Distance to every node; ``inf`` when unreachable.

    Raises
    ------
    GraphInputError
        If an edge weight is negative.

    Notes
    -----
    Each round relaxes only the edges leaving nodes whose distance improved in
    the previous round: O(m) per round, at most n rounds.

    References
    ----------
    .. [1] Bellman, R. "On a routing problem." Quarterly of Applied Mathematics, 1958.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> G = nx.DiGraph()
    >>> G.add_weighted_edges_from([(0, 1, 4.0), (0, 2, 1.0), (2, 1, 2.0)])
    >>> gj.sssp(G, source=0)
    {0: 0.0, 1: 3.0, 2: 1.0}
    >>> gj.sssp(G, source=0, weight=None)
    {0: 0.0, 1: 1.0, 2: 1.0}
    """
    sG.require("nonnegative_weights")
    active = sG.nodes(unique=True) == source
    dist = active.where(0.0, float("inf"))
    with sG.while_any(active):
        candidate = sG.pull(dist, over="in", reduce="min", weight="weight", mask=active)
        active = candidate < dist
        dist = active.where(candidate, dist)
    return dist


@register("sssp_delta", _DISTANCES)
def sssp_delta(sG, source: NodeId = 0, delta: Positive = 32.0):
    """Shortest path distances from ``source`` in buckets of width ``delta`` (delta-stepping style).

    Nodes are settled bucket by bucket: within the lowest bucket of pending
    nodes, edges are relaxed until no distance in the bucket improves, then the
    next non-empty bucket follows. Same result as ``sssp``; fewer wasted
    relaxations on graphs with varied weights. Weights must not be negative.
    The compiled kernel keeps the pending nodes in buckets of their distance,
    so a round costs its bucket, not every pending node.

    Parameters
    ----------
    source : node
        Start node.
    delta : float
        Bucket width; around the average edge weight works well.

    Returns
    -------
    ndarray of float64
        Distance to every node; ``inf`` when unreachable.

    References
    ----------
    .. [1] Meyer, U., Sanders, P. "Delta-stepping: a parallelizable shortest path
       algorithm." Journal of Algorithms 49 (1), 2003.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> G = nx.DiGraph()
    >>> G.add_weighted_edges_from([(0, 1, 40.0), (0, 2, 1.0), (2, 1, 2.0)])
    >>> gj.sssp_delta(gj.Graph.from_networkx(G, weight="weight"), source=0, delta=10.0).tolist()
    [0.0, 3.0, 1.0]
    """
    sG.require("nonnegative_weights")
    pending = sG.nodes(unique=True) == source
    dist = pending.where(0.0, float("inf"))
    with sG.while_any(pending):
        # each round relaxes the pending nodes of the lowest bucket once; the others wait
        lowest = pending.where(dist, float("inf")).reduce("min")
        bound = (lowest // delta + 1) * delta
        in_bucket = dist < bound
        # nodes below the lowest pending distance are settled: they read no arcs
        candidate = sG.pull(dist, over="in", reduce="min", weight="weight",
                            mask=pending & in_bucket, at=dist >= lowest)
        improved = candidate < dist
        dist = improved.where(candidate, dist)
        pending = (pending & ~in_bucket) | improved
    return dist
