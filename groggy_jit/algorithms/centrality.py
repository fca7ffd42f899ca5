"""Centrality measures: degree, HITS, Katz, eigenvector, closeness, betweenness."""

from ..driver import EdgeWeights
from ..dsl.trace import NodeValues
from ..ir.domains import NodeSubset, NonNegative, NonNegativeInt
from .registry import register

__all__ = ["degree_centrality", "in_degree_centrality", "out_degree_centrality", "hits",
           "katz_centrality", "eigenvector_centrality", "closeness_centrality",
           "betweenness_centrality", "betweenness_centrality_weighted"]

# How each reads networkx edges, as networkx does: degrees count parallel edges (and with
# weight=, sum that attribute, as G.degree(weight=) does); katz and eigenvector refuse
# multigraphs; distances take the lightest parallel edge.
_COUNTED = EdgeWeights("weight", None, "sum")
_SIMPLE_WEIGHT = EdgeWeights("weight", None, None)
# Betweenness path counts: the level after one whose largest count passed _PATHS_LIMIT is
# scaled by _PATHS_SHRINK (powers of two: exact), and its shares divide by the counts before
# scaling, which are in its parents' scale. A count grows by at most a node's in-degree per
# level, so counts stay below 2**960 (float64 ends at 2**1024) and shares above 2**-1000
# (float64's normal range ends at 2**-1022).
_PATHS_LIMIT = 2.0 ** 896
_PATHS_SHRINK = 2.0 ** -64


def _degree(sG, over):
    """Edges at every node, parallel edges counted (the weights of a networkx multigraph)."""
    return sG.pull(sG.nodes(1.0), over=over, weight="weight")


def _per_other_node(sG, degree):
    """networkx's degree centrality: ``degree / (n - 1)``, 1 on a one-node graph."""
    n = sG.N
    return (n > 1).where(degree / (n - 1), 1.0)


@register("degree_centrality", _COUNTED)
def degree_centrality(sG):
    """Degree of every node divided by ``n - 1``, as networkx computes it.

    In a directed graph the degree is in-degree plus out-degree; in an
    undirected graph a self loop adds 2 to its node's degree, and in a
    multigraph every parallel edge counts, as in networkx. ``weight="weight"``
    (not a networkx keyword here) sums that edge attribute instead, as
    ``G.degree(weight=...)``.

    Returns
    -------
    ndarray or dict
        One value per node (``{node: value}`` for networkx input).

    Notes
    -----
    O(n + m): one pass over the arcs finds self loops. A graph with one node
    gets centrality 1, as in networkx.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> gj.degree_centrality(nx.path_graph(3))
    {0: 0.5, 1: 1.0, 2: 0.5}
    """
    index = sG.nodes(unique=True)
    loops = sG.pull_edges((sG.src(index) == sG.dst(index)).where(sG.edge_weights(), 0.0))
    return _per_other_node(sG, _degree(sG, "both") + sG.directed.where(0.0, loops))


@register("in_degree_centrality", _COUNTED)
def in_degree_centrality(sG):
    """In-degree of every node divided by ``n - 1`` (``networkx.in_degree_centrality``).

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> gj.in_degree_centrality(nx.DiGraph([(0, 1), (2, 1)]))
    {0: 0.0, 1: 1.0, 2: 0.0}
    """
    return _per_other_node(sG, _degree(sG, "in"))


@register("out_degree_centrality", _COUNTED)
def out_degree_centrality(sG):
    """Out-degree of every node divided by ``n - 1`` (``networkx.out_degree_centrality``).

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> gj.out_degree_centrality(nx.DiGraph([(0, 1), (2, 1)]))
    {0: 0.5, 1: 0.0, 2: 0.5}
    """
    return _per_other_node(sG, _degree(sG, "out"))


@register("hits", EdgeWeights("weight", "weight", "sum"))
def hits(sG, max_iter: NonNegativeInt = 100, tol: NonNegative = 1e-8, normalized=True,
         nstart: NodeValues = 1.0):
    """Hub and authority scores by power iteration on ``AᵀA`` (Kleinberg's HITS).

    Follows networkx's power-iteration variant: start from ``nstart`` (``1/n``
    by default), multiply by ``AᵀA`` and scale by the maximum until the L1
    change is below ``tol``; hubs are ``A·a``; with ``normalized`` both sum to
    1. ``A`` holds the edge weights (the ``weight`` attribute, as networkx's
    adjacency matrix; ``weight=None``: all 1), parallel edges summed.

    Returns
    -------
    dict
        ``hubs`` and ``authorities``, one value per node.

    Notes
    -----
    Two pulls (over out-edges, then in-edges) per iteration: O(m).

    References
    ----------
    .. [1] Kleinberg, J. "Authoritative sources in a hyperlinked environment."
       Journal of the ACM 46 (5), 1999.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> out = gj.hits(nx.DiGraph([(0, 1), (0, 2)]))
    >>> out["hubs"][0], out["authorities"][1]
    (1.0, 0.5)
    """
    auth = nstart / nstart.reduce("sum")
    with sG.until_converged(auth, tol=tol, max_iter=max_iter):
        hub = sG.pull(auth, over="out", weight="weight")
        auth = sG.pull(hub, over="in", weight="weight")
        auth = auth / auth.reduce("max")
    hubs = sG.pull(auth, over="out", weight="weight")
    return {"hubs": normalized.where(hubs.normalize("sum"), hubs),
            "authorities": normalized.where(auth.normalize("sum"), auth)}


@register("katz_centrality", _SIMPLE_WEIGHT)
def katz_centrality(sG, alpha=0.1, beta: NodeValues = 1.0, max_iter: NonNegativeInt = 1000,
                    tol: NonNegative = 1e-6, normalized=True, nstart: NodeValues = 0.0):
    """Katz centrality ``x = alpha·Aᵀx + beta`` by iteration, as networkx computes it.

    Starts from ``nstart`` (0 by default); stops when the L1 change is below
    ``n * tol``; with ``normalized`` the result has unit L2 norm. ``beta`` is
    one value for every node or one per node. ``A`` holds the ``weight``
    attribute when it is given (networkx's default is None: unweighted).
    Multigraphs are refused, as in networkx.

    Notes
    -----
    Converges when ``alpha`` is below the inverse of the largest eigenvalue of A.
    O(m) per iteration.

    References
    ----------
    .. [1] Katz, L. "A new status index derived from sociometric analysis."
       Psychometrika 18 (1), 1953.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> x = gj.katz_centrality(nx.path_graph(3))
    >>> round(x[1] / x[0], 4)
    1.0909
    """
    x = nstart
    with sG.until_converged(x, tol=tol * sG.N, max_iter=max_iter):
        x = alpha * sG.pull(x, over="in", weight="weight") + beta
    return normalized.where(x.normalize("l2"), x)


@register("eigenvector_centrality", _SIMPLE_WEIGHT)
def eigenvector_centrality(sG, max_iter: NonNegativeInt = 100, tol: NonNegative = 1e-6,
                           nstart: NodeValues = 1.0):
    """Eigenvector centrality by power iteration on ``A + I``, as networkx computes it.

    Starts from ``nstart`` scaled to sum 1 (``1/n`` by default); each step adds
    the in-neighbours' scores (times the ``weight`` attribute when it is given;
    networkx's default is None) and scales to unit L2 norm; stops when the L1
    change is below ``n * tol``. Multigraphs are refused, as in networkx.

    Notes
    -----
    O(m) per iteration. On a directed graph it is the left eigenvector
    (scores flow along edges). ``run(G).converged`` says whether it converged.

    References
    ----------
    .. [1] Bonacich, P. "Power and centrality: a family of measures."
       American Journal of Sociology 92 (5), 1987.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> x = gj.eigenvector_centrality(nx.path_graph(3))
    >>> round(x[1], 4), round(x[0], 4)
    (0.7071, 0.5)
    """
    x = nstart / nstart.reduce("sum")
    with sG.until_converged(x, tol=tol * sG.N, max_iter=max_iter):
        y = x + sG.pull(x, over="in", weight="weight")
        norm = (y * y).reduce("sum").sqrt()
        x = (norm > 0).where(y / norm, y)
    return x


@register("closeness_centrality", EdgeWeights("distance", None, "min"))
def closeness_centrality(sG, wf_improved=True, nodes: NodeSubset = True):
    """Closeness centrality, as networkx computes it (one shortest-path search per node).

    For node u: ``(r - 1) / Σ d(v, u)`` over the ``r - 1`` nodes that reach u;
    with ``wf_improved`` scaled by ``(r - 1) / (n - 1)`` (Wasserman–Faust).
    Distances are *to* u (in-distance on directed graphs): hop counts, or with
    ``distance="weight"`` (networkx's keyword) the lightest path by that edge
    attribute; a multigraph's lightest parallel edge counts.

    Parameters
    ----------
    wf_improved : bool
        Scale by the share of the other nodes that reach u, as networkx does.
    nodes : set of nodes, or one bool per node
        The nodes whose closeness is computed (networkx's ``u=`` is ``nodes={u}``);
        all by default. The others get NaN and cost nothing.

    Notes
    -----
    One frontier Bellman-Ford search per chosen node: O(k·m) unweighted for k
    nodes, more with weights.

    References
    ----------
    .. [1] Freeman, L.C. "Centrality in networks: I. Conceptual clarification."
       Social Networks 1, 1979.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> gj.closeness_centrality(nx.path_graph(3))
    {0: 0.6666666666666666, 1: 1.0, 2: 0.6666666666666666}
    >>> gj.closeness_centrality(nx.path_graph(3), nodes={1})[1]
    1.0
    """
    n = sG.N
    index = sG.nodes(unique=True)
    closeness = sG.nodes(float("nan"))
    with sG.each(nodes) as source:
        active = index == source
        dist = active.where(0.0, float("inf"))
        with sG.while_any(active):
            candidate = sG.pull(dist, over="out", reduce="min", weight="weight", mask=active)
            active = candidate < dist
            dist = active.where(candidate, dist)
        found = (dist < float("inf")) & (index != source)
        reached = found.astype("f64").reduce("sum")
        total = found.where(dist, 0.0).reduce("sum")
        # the same operations in the same order as networkx: equal to the last bit
        value = wf_improved.where((reached / total) * (reached / (n - 1)), reached / total)
        value = ((total > 0) & (n > 1)).where(value, 0.0)       # a one-node graph: 0
        closeness = (index == source).where(value, closeness)
    return closeness


@register("betweenness_centrality", EdgeWeights("weight", None, "min", weighted=False))
def betweenness_centrality(sG, normalized=True, sources: NodeSubset = True, endpoints=False):
    """Betweenness centrality by Brandes' algorithm, unweighted, from all or sampled sources.

    Matches ``networkx.betweenness_centrality(G, normalized=..., endpoints=...)``
    (undirected pairs counted once), and with ``sources`` its estimate from
    ``k`` sampled sources, rescaled the same way. Edge weights are not read;
    :func:`betweenness_centrality_weighted` reads them (undirected graphs).

    Parameters
    ----------
    normalized : bool
        Divide by the number of node pairs a path could connect.
    sources : set of nodes, or one bool per node
        The sources whose shortest paths are counted; all nodes by default. A
        sample of k nodes estimates betweenness on graphs too large for all n:
        ``sources=set(random.Random(seed).sample(list(G), k))`` gives exactly
        ``networkx.betweenness_centrality(G, k=k, seed=seed)``. With no source
        at all every value is NaN; with one, so is that source's.
    endpoints : bool
        Count the path's ends too, as networkx does with ``endpoints=True``.

    Notes
    -----
    Per chosen source, one forward BFS counting shortest paths (a small round
    pushes from the sorted frontier list: it costs the frontier's arcs) and one
    backward sweep over the levels (a small level runs over its own nodes only,
    listed once by depth: O(n + m) per source in all); a node that is not a
    source costs nothing.

    Path counts can grow exponentially with depth: on a 1000 x 1000 grid they pass
    float64's largest value, about 2**1024. networkx then divides infinities and returns
    NaN for most nodes. Here a level whose counts near that limit has them scaled by an
    exact power of two, and its dependencies scaled back, so the result stays finite and
    correct. Only counts that differ by more than about 2**1900 within one level (far
    beyond such a grid) still lose precision.

    References
    ----------
    .. [1] Brandes, U. "A faster algorithm for betweenness centrality."
       Journal of Mathematical Sociology 25 (2), 2001.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> gj.betweenness_centrality(nx.path_graph(3))
    {0: 0.0, 1: 1.0, 2: 0.0}
    >>> gj.betweenness_centrality(nx.path_graph(4), sources={0, 3})
    {0: 0.0, 1: 0.75, 2: 0.75, 3: 0.0}
    """
    n = sG.N
    inf = float("inf")
    index = sG.nodes(unique=True)
    score = sG.nodes(0.0)
    with sG.each(sources) as source:
        frontier = index == source
        depth = frontier.where(0, -1)
        paths = frontier.where(1.0, 0.0)
        level = n * 0
        arrived = frontier.where(1.0, 0.0)   # a node's count before its level was scaled
        largest = frontier.where(paths, -inf).reduce("max")   # the last level's largest count
        with sG.while_any(frontier):                  # forward: levels and path counts
            level = level + 1
            # scale this level if the last one's counts neared float64's limit (see _PATHS_LIMIT)
            factor = (largest > _PATHS_LIMIT).where(_PATHS_SHRINK, 1.0)
            incoming = sG.pull(paths, over="in", reduce="sum", mask=frontier, at=depth < 0)
            frontier = (depth < 0) & (incoming > 0)
            depth = frontier.where(level, depth)
            paths = frontier.where(incoming * factor, paths)
            arrived = frontier.where(incoming, arrived)
            largest = frontier.where(paths, -inf).reduce("max")
        dependency = sG.nodes(0.0)
        with sG.iterate(level):                       # backward: deepest level first
            level = level - 1
            share = (1.0 + dependency) / arrived      # in the scale of the parents' counts
            below = sG.pull(share, over="out", reduce="sum", mask=depth == level + 1)
            dependency = (depth == level).where(paths * below, dependency)
        score = _accumulate(score, index, source, dependency, depth > 0, endpoints)
    return _rescaled(sG, score, normalized, sources, endpoints)


def _accumulate(score, index, source, dependency, reached, endpoints):
    """Brandes' accumulation of one source's dependencies (and with ``endpoints``, the ends)."""
    reached = reached.astype("f64")
    ends = (index == source).where(reached.reduce("sum"), reached)
    return score + (index != source).where(dependency, 0.0) + endpoints.where(ends, 0.0)


def _rescaled(sG, score, normalized, sources, endpoints):
    """networkx's rescaling of betweenness.

    Without endpoints a sampled source has one source fewer that could put it on
    a path; with all n sources this is the exact value.
    """
    n = sG.N
    others = endpoints.where(n, n - 1)
    k = sources.astype("i64").reduce("sum")
    pairs = (sources & ~endpoints).where(k - 1, k).astype("f64")
    unordered = sG.directed.where(1.0, 2.0)         # undirected pairs counted once
    scale = normalized.where(1.0 / (pairs * (others - 1)), others / (pairs * unordered))
    return score * (others >= 2).where(scale, 1.0)


@register("betweenness_centrality_weighted", EdgeWeights("weight", "weight", "min"))
def betweenness_centrality_weighted(sG, normalized=True, sources: NodeSubset = True,
                                    endpoints=False):
    """Betweenness centrality on shortest paths by edge weight, of an undirected graph.

    ``networkx.betweenness_centrality(G, weight="weight", ...)``: the same
    parameters and rescaling as :func:`betweenness_centrality`, with path
    lengths the sums of the ``weight`` attribute (the lightest of parallel
    edges). Weights must be positive; directed graphs raise ``GraphInputError``.

    Notes
    -----
    Per chosen source: frontier Bellman-Ford for the distances, then the path
    counts and the dependencies as fixed points over the arcs that lie on a
    shortest path (as many rounds as the deepest shortest path has arcs).
    A source that is not chosen costs nothing.

    References
    ----------
    .. [1] Brandes, U. "A faster algorithm for betweenness centrality."
       Journal of Mathematical Sociology 25 (2), 2001.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> G = nx.Graph()
    >>> G.add_weighted_edges_from([(0, 1, 1.0), (1, 2, 1.0), (0, 2, 3.0)])
    >>> gj.betweenness_centrality_weighted(G)
    {0: 0.0, 1: 1.0, 2: 0.0}
    """
    sG.require("undirected")
    sG.require("nonnegative_weights")
    n = sG.N
    inf = float("inf")
    index = sG.nodes(unique=True)
    score = sG.nodes(0.0)
    with sG.each(sources) as source:
        chosen = index == source
        active = chosen
        dist = chosen.where(0.0, inf)
        with sG.while_any(active):
            candidate = sG.pull(dist, over="in", reduce="min", weight="weight", mask=active)
            active = candidate < dist
            dist = active.where(candidate, dist)
        # arcs u -> v on a shortest path, and (undirected: the same arc) v -> u
        forward = (sG.src(dist) + sG.edge_weights() == sG.dst(dist)) & (sG.src(dist) < inf)
        backward = (sG.dst(dist) + sG.edge_weights() == sG.src(dist)) & (sG.dst(dist) < inf)
        paths = chosen.where(1.0, 0.0)
        with sG.until_converged(paths, tol=0.5, max_iter=n + 1, norm="linf"):
            paths = chosen.where(1.0, sG.pull_edges(forward.where(sG.src(paths), 0.0)))
        dependency = sG.nodes(0.0)
        with sG.until_converged(dependency, tol=1e-300, max_iter=n + 1, norm="linf"):
            share = (1.0 + sG.src(dependency)) / sG.src(paths)
            dependency = paths * sG.pull_edges(backward.where(share, 0.0))
        reached = (dist < inf) & (index != source)
        score = _accumulate(score, index, source, dependency, reached, endpoints)
    return _rescaled(sG, score, normalized, sources, endpoints)
