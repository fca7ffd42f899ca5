"""Triangles (each found once, from degree-ordered forward lists), local clustering and
Jaccard similarity (from common neighbours per edge)."""

from ..driver import EdgeWeights
from .registry import register

# As networkx: triangles merge parallel edges; clustering and Jaccard refuse multigraphs
_MERGED = EdgeWeights(None, None, "min")
_SIMPLE = EdgeWeights(None, None, None)

__all__ = ["triangles", "triangle_count", "clustering", "clustering_directed", "jaccard"]


@register("triangles", _MERGED)
def triangles(sG):
    """Number of triangles through every node of an undirected graph (``networkx.triangles``).

    Self loops are ignored and parallel edges merged, as in networkx. Directed
    graphs raise ``GraphInputError``.

    Notes
    -----
    Each triangle is found once, at its node of smallest degree, by scanning the
    lists of neighbours of higher degree ("forward" lists): O(m^1.5) [1]_.

    References
    ----------
    .. [1] Schank, T., Wagner, D. "Finding, Counting and Listing all Triangles in
       Large Graphs, an Experimental Study." WEA 2005.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> gj.triangles(nx.complete_graph(4))
    {0: 3, 1: 3, 2: 3, 3: 3}
    """
    return sG.triangles()


@register("triangle_count", _MERGED)
def triangle_count(sG):
    """Total number of triangles of an undirected graph, each counted once.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> int(gj.triangle_count(nx.complete_graph(5)))
    10
    """
    return sG.triangles(once=True).reduce("sum")


@register("clustering", EdgeWeights("weight", None, None))
def clustering(sG):
    """Local clustering coefficient of every node (``networkx.clustering``).

    ``2 T(v) / (d(v) (d(v) - 1))``; 0 for nodes of degree < 2. With
    ``weight=`` (networkx's default is None, unweighted), ``T(v)`` sums the
    geometric means of its triangles' weights, each weight divided by the
    largest one. Self loops are ignored; multigraphs and directed graphs are
    refused.

    Notes
    -----
    For every edge, a merge of the two sorted neighbour lists: O(Σ_edges (d_u + d_v)).
    Weighted, each triangle's cube root is summed in increasing order of its third
    node, so results may differ from networkx's in the last bits.

    References
    ----------
    .. [1] Saramäki, J., Kivelä, M., Onnela, J.-P., Kaski, K., Kertész, J.
       "Generalizations of the clustering coefficient to weighted complex networks."
       Physical Review E 75, 027105, 2007.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> G = nx.complete_graph(3)
    >>> G.add_edge(2, 3)
    >>> gj.clustering(G)
    {0: 1.0, 1: 1.0, 2: 0.3333333333333333, 3: 0.0}
    >>> G[0][1]["weight"] = 8.0
    >>> gj.clustering(G, weight="weight")[2]
    0.08333333333333333
    """
    sG.require("undirected")
    index = sG.nodes(unique=True)
    proper = sG.src(index) != sG.dst(index)                  # not a self loop
    twice = sG.pull_edges(proper.where(sG.geometric_triangles(), 0))
    degree = sG.pull_edges(proper.astype("i64"))
    return (twice != 0).where(twice / (degree * (degree - 1)), 0.0)


@register("clustering_directed", EdgeWeights("weight", None, None))
def clustering_directed(sG):
    """Local clustering coefficient of every node of a directed graph (``networkx.clustering``).

    ``T(v) / (2 (d(v) (d(v) - 1) - 2 d↔(v)))``, with ``T(v)`` the directed
    triangles through v, ``d`` its in- plus out-degree and ``d↔`` its number of
    reciprocated arcs, self loops ignored (Fagiolo's definition). With
    ``weight=`` each triangle counts the geometric mean of its arcs' weights,
    each divided by the largest weight. Multigraphs are refused.

    Notes
    -----
    Marks each node's neighbours, then scans theirs: O(Σ_v Σ_{u ~ v} d(u) log d).
    Weighted, the cube root of a triangle's product is taken as the product of
    cube roots, so results may differ from networkx's in the last bits.

    References
    ----------
    .. [1] Fagiolo, G. "Clustering in complex directed networks." Physical Review E 76,
       026107, 2007.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> G = nx.DiGraph([(0, 1), (1, 2), (2, 0), (0, 2)])
    >>> gj.clustering_directed(G)
    {0: 0.5, 1: 1.0, 2: 0.5}
    """
    sG.require("directed")
    index = sG.nodes(unique=True)
    proper = sG.src(index) != sG.dst(index)                  # not a self loop
    triangles = sG.directed_geometric_triangles()
    reciprocated = proper & (sG.reverse_arcs(proper.astype("i64")) == 1)
    loops = sG.pull_edges((~proper).astype("i64"))
    total = sG.pull_edges(proper.astype("i64")) + index.degrees(over="out") - loops
    both = sG.pull_edges(reciprocated.astype("i64"))
    return (triangles != 0).where(triangles / ((total * (total - 1) - 2 * both) * 2), 0.0)


@register("jaccard", _SIMPLE)
def jaccard(sG):
    """Jaccard similarity of the endpoints of every edge: ``|N(u) ∩ N(v)| / |N(u) ∪ N(v)|``.

    Returns
    -------
    ndarray or dict
        One value per arc, in the graph's in-CSR order (arcs grouped by target);
        ``{(u, v): value}`` for networkx input. Matches
        ``networkx.jaccard_coefficient(G, G.edges())`` on graphs without self loops.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> gj.jaccard(nx.path_graph(3))[(0, 1)]
    0.0
    """
    sG.require("undirected")
    common = sG.common_neighbors()
    degree = sG.nodes(0).degrees(over="in")
    union = sG.src(degree) + sG.dst(degree) - common
    return (union > 0).where(common / union, 0.0)
