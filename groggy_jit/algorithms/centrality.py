"""Centrality measures: degree, HITS, Katz, eigenvector, closeness, betweenness."""

from ..ir.domains import NodeSubset, NonNegative, NonNegativeInt
from .registry import register

__all__ = ["degree_centrality", "hits", "katz_centrality", "eigenvector_centrality",
           "closeness_centrality", "betweenness_centrality"]


@register("degree_centrality")
def degree_centrality(sG):
    """Degree of every node divided by ``n - 1``, as networkx computes it.

    In a directed graph the degree is in-degree plus out-degree; in an
    undirected graph a self loop adds 2 to its node's degree, as in networkx.

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
    n = sG.N
    index = sG.nodes(unique=True)
    self_loops = sG.pull_edges((sG.src(index) == sG.dst(index)).astype("f64"), reduce="sum")
    deg = sG.nodes(0.0).degrees(over="both") + sG.directed.where(0.0, self_loops)
    return (n > 1).where(deg / (n - 1), 1.0)


@register("hits")
def hits(sG, max_iter: NonNegativeInt = 100, tol: NonNegative = 1e-8, normalized=True):
    """Hub and authority scores by power iteration on ``AᵀA`` (Kleinberg's HITS).

    Follows networkx's power-iteration variant: start from ``1/n``, multiply by
    ``AᵀA`` and scale by the maximum until the L1 change is below ``tol``; hubs
    are ``A·a``; with ``normalized`` both sum to 1. Edge weights are ignored.

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
    auth = sG.nodes(1.0 / sG.N)
    with sG.until_converged(auth, tol=tol, max_iter=max_iter):
        hub = sG.pull(auth, over="out")
        auth = sG @ hub
        auth = auth / auth.reduce("max")
    hubs = sG.pull(auth, over="out")
    return {"hubs": normalized.where(hubs.normalize("sum"), hubs),
            "authorities": normalized.where(auth.normalize("sum"), auth)}


@register("katz_centrality")
def katz_centrality(sG, alpha=0.1, beta=1.0, max_iter: NonNegativeInt = 1000,
                    tol: NonNegative = 1e-6, normalized=True):
    """Katz centrality ``x = alpha·Aᵀx + beta`` by iteration, as networkx computes it.

    Starts from 0; stops when the L1 change is below ``n * tol``; with
    ``normalized`` the result has unit L2 norm. Edge weights are ignored.

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
    x = sG.nodes(0.0)
    with sG.until_converged(x, tol=tol * sG.N, max_iter=max_iter):
        x = alpha * (sG @ x) + beta
    return normalized.where(x.normalize("l2"), x)


@register("eigenvector_centrality")
def eigenvector_centrality(sG, max_iter: NonNegativeInt = 100, tol: NonNegative = 1e-6):
    """Eigenvector centrality by power iteration on ``A + I``, as networkx computes it.

    Starts from ``1/n``; each step adds the in-neighbours' scores and scales to
    unit L2 norm; stops when the L1 change is below ``n * tol``.

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
    x = sG.nodes(1.0 / sG.N)
    with sG.until_converged(x, tol=tol * sG.N, max_iter=max_iter):
        y = x + sG @ x
        norm = (y * y).reduce("sum").sqrt()
        x = (norm > 0).where(y / norm, y)
    return x


@register("closeness_centrality")
def closeness_centrality(sG, wf_improved=True):
    """Closeness centrality, as networkx computes it (one BFS per node).

    For node u: ``(r - 1) / Σ d(v, u)`` over the ``r - 1`` nodes that reach u;
    with ``wf_improved`` scaled by ``(r - 1) / (n - 1)`` (Wasserman–Faust).
    Distances are hop counts *to* u (in-distance on directed graphs).

    Notes
    -----
    n breadth-first searches: O(n·m).

    References
    ----------
    .. [1] Freeman, L.C. "Centrality in networks: I. Conceptual clarification."
       Social Networks 1, 1979.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> gj.closeness_centrality(nx.path_graph(3))
    {0: 0.6666666666666666, 1: 1.0, 2: 0.6666666666666666}
    """
    n = sG.N
    index = sG.nodes(unique=True)
    closeness = sG.nodes(0.0)
    source = n * 0
    with sG.iterate(n):
        frontier = index == source
        depth = frontier.where(0, -1)
        level = n * 0
        with sG.while_any(frontier):
            level = level + 1
            frontier = sG.pull(frontier, over="out", reduce="any", at=depth < 0)
            depth = frontier.where(level, depth)
        reached = (depth > 0).astype("i64").reduce("sum")
        total = (depth > 0).where(depth, 0).reduce("sum")
        value = (total > 0).where(reached / total, 0.0)
        value = (wf_improved & (n > 1)).where(value * reached / (n - 1), value)
        closeness = (index == source).where(value, closeness)
        source = source + 1
    return closeness


@register("betweenness_centrality")
def betweenness_centrality(sG, normalized=True, sources: NodeSubset = True):
    """Betweenness centrality by Brandes' algorithm, unweighted, from all or sampled sources.

    Matches ``networkx.betweenness_centrality(G, normalized=...)`` (endpoints
    not counted; undirected pairs counted once), and with ``sources`` its
    estimate from ``k`` sampled sources, rescaled the same way.

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

    Notes
    -----
    One forward BFS (counting shortest paths) and one backward sweep over the
    levels per chosen source: O(k·m), plus O(n) per node that is not a source.

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
    index = sG.nodes(unique=True)
    score = sG.nodes(0.0)
    source = n * 0
    with sG.iterate(n):
        frontier = (index == source) & sources        # not a chosen source: nothing to do
        depth = frontier.where(0, -1)
        paths = frontier.where(1.0, 0.0)
        level = n * 0
        with sG.while_any(frontier):                  # forward: levels and path counts
            level = level + 1
            incoming = sG.pull(paths, over="in", reduce="sum", mask=frontier, at=depth < 0)
            frontier = (depth < 0) & (incoming > 0)
            depth = frontier.where(level, depth)
            paths = frontier.where(incoming, paths)
        dependency = sG.nodes(0.0)
        with sG.iterate(level):                       # backward: deepest level first
            level = level - 1
            share = (1.0 + dependency) / paths
            below = sG.pull(share, over="out", reduce="sum", mask=depth == level + 1)
            dependency = (depth == level).where(paths * below, dependency)
        score = score + (index != source).where(dependency, 0.0)
        source = source + 1
    # networkx's rescaling: a sampled source has one source fewer that could put it
    # on a path (endpoints are not counted); with all n sources this is the exact value.
    others = n - 1
    k = sources.astype("i64").reduce("sum")
    pairs = sources.where(k - 1, k).astype("f64")
    unordered = sG.directed.where(1.0, 2.0)         # undirected pairs counted once
    scale = normalized.where(1.0 / (pairs * (others - 1)), others / (pairs * unordered))
    return score * (others >= 2).where(scale, 1.0)
