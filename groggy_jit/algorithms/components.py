"""Connected components: minimum-label propagation, FastSV and Afforest-style sampling."""

from ..ir.domains import NonNegativeInt
from .registry import register

__all__ = ["connected_components", "connected_components_afforest", "connected_components_fastsv"]


@register("connected_components")
def connected_components(sG, max_iter: NonNegativeInt = 1_000_000_000):
    """Component label of every node: the smallest node index in its component.

    Labels start as node indices; each round every node takes the minimum of
    its own label and its neighbours' (both directions, so a directed graph
    gives its weakly connected components), until no label changes.

    Returns
    -------
    ndarray of int64
        Equal labels mean the same component (``{node: label}`` for networkx input).

    Notes
    -----
    O(m) per round and at most diameter + 1 rounds.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> G = nx.Graph([(0, 1), (2, 3)])
    >>> gj.connected_components(G)
    {0: 0, 1: 0, 2: 2, 3: 2}
    """
    labels = sG.nodes(unique=True)
    with sG.until_converged(labels, tol=1, max_iter=max_iter, norm="linf"):
        labels = sG.var("labels", labels.minimum(sG.pull(labels, over="both", reduce="min")))
    return labels


@register("connected_components_fastsv")
def connected_components_fastsv(sG, max_iter: NonNegativeInt = 1_000_000_000):
    """Connected components by FastSV: hooking and pointer jumping on a parent forest.

    Same result as ``connected_components`` (each component labelled by its
    smallest node index; weakly connected for directed graphs), in far fewer
    rounds on graphs with a long diameter.

    Notes
    -----
    Each round: every node finds the smallest grandparent among its neighbours,
    hooks its parent's tree there (a serial scatter-min), hooks itself, and
    shortcuts to its grandparent; stop when no grandparent changes. O(m) per
    round, O(log n) rounds in practice.

    References
    ----------
    .. [1] Zhang, Azad, Hu. "FastSV: A distributed-memory connected component
       algorithm with fast convergence." SIAM PP 2020.

    Examples
    --------
    >>> import groggy_jit as gj
    >>> G = gj.Graph.from_edges([0, 3, 2], [3, 1, 4], directed=False)
    >>> gj.connected_components_fastsv(G).tolist()
    [0, 0, 2, 0, 2]
    """
    parent = sG.nodes(unique=True)
    grandparent = parent[parent]
    with sG.until_converged(grandparent, tol=1, max_iter=max_iter, norm="linf"):
        lowest = sG.pull(grandparent, over="both", reduce="min")
        parent = parent.scatter_min(parent, lowest)          # hook the parent's tree
        parent = parent.minimum(lowest).minimum(grandparent)  # hook itself, shortcut
        grandparent = parent[parent]
    return grandparent



@register("connected_components_afforest")
def connected_components_afforest(sG, sample_rounds: NonNegativeInt = 3,
                                  max_iter: NonNegativeInt = 1_000_000_000):
    """Connected components by sampling, in the manner of Afforest: the arcs of the
    largest component are read about once, not once per round.

    Same result as ``connected_components`` (each component labelled by its smallest
    node index; weakly connected for directed graphs). Fastest where one component
    holds most of the nodes, as in most real and generated graphs.

    Parameters
    ----------
    sample_rounds : int, default 3
        FastSV rounds over the sample before the largest tree is chosen. Any number
        gives the same result; more build more of the large component first.

    Notes
    -----
    1. Each node's first two in-arcs (its two smallest in-neighbours) are the sample.
       ``sample_rounds`` FastSV rounds over it build most of the large component at
       O(n) a round, with no arc read after the first.
    2. Pointer jumping takes every node to its root; the root most nodes share is
       taken as the large component.
    3. FastSV over the whole graph, with the large tree keyed -1, below every node
       index: a node keyed -1 can learn nothing from its neighbours, so only the other
       nodes read their arcs. On most graphs that is a small share of them.
    4. The large component is labelled with its smallest node index.

    Like FastSV, O(log n) rounds in practice. Which tree is taken as the large one
    changes the time, never the result.

    References
    ----------
    .. [1] Sutton, Ben-Nun, Barak. "Optimizing Parallel Graph Connectivity Computation
       via Subgraph Sampling." IPDPS 2018.
    .. [2] Zhang, Azad, Hu. "FastSV: A distributed-memory connected component
       algorithm with fast convergence." SIAM PP 2020.

    Examples
    --------
    >>> import groggy_jit as gj
    >>> G = gj.Graph.from_edges([0, 3, 2], [3, 1, 4], directed=False)
    >>> gj.connected_components_afforest(G).tolist()
    [0, 0, 2, 0, 2]
    """
    index = sG.nodes(unique=True)
    # the sample, read once: a node without in-arcs samples itself
    first = sG.pull(index, over="in", reduce="min", first=1)
    first = (first < sG.N).where(first, index)
    second = sG.pull(index, over="in", reduce="max", first=2)
    second = (second >= 0).where(second, index)
    parent = index
    grandparent = parent[parent]
    with sG.iterate(sample_rounds):
        sampled = grandparent[first].minimum(grandparent[second])
        parent = parent.scatter_min(parent, sampled)
        parent = parent.minimum(sampled).minimum(grandparent)
        grandparent = parent[parent]

    root = grandparent
    with sG.until_converged(root, tol=1, max_iter=max_iter, norm="linf"):
        root = root[root]
    tree_size = (index * 0).scatter_add(root, 1)
    large = (tree_size == tree_size.reduce("max")).where(index, sG.N).reduce("min")

    def node_of(key):                   # the node a key names: -1 is the large tree's root
        return (key < 0).where(large, key)

    key = (root == large).where(-1, root)
    grandparent = key[node_of(key)]
    with sG.until_converged(grandparent, tol=1, max_iter=max_iter, norm="linf"):
        lowest = sG.pull(grandparent, over="both", reduce="min", at=grandparent >= 0)
        key = key.scatter_min(node_of(key), lowest)
        key = key.minimum(lowest).minimum(grandparent)
        grandparent = key[node_of(key)]
    in_large = grandparent < 0
    return in_large.where(in_large.where(index, sG.N).reduce("min"), grandparent)
