"""Label propagation communities."""

from ..driver import EdgeWeights
from ..dsl.trace import NodeValues
from ..ir.domains import NonNegativeInt
from .registry import register

__all__ = ["label_propagation", "label_propagation_semi_synchronous"]


@register("label_propagation", EdgeWeights(None, None, "min"))
def label_propagation(sG, max_iter: NonNegativeInt = 20):
    """Synchronous label propagation for ``max_iter`` rounds.

    Every node starts with its own index as label. In each round every node
    takes the most common label among its neighbours (in-neighbours for a
    directed graph); ties go to the smallest label, and a node without
    neighbours keeps its label. All nodes update at once from the previous
    round's labels.

    Returns
    -------
    ndarray of int64
        The community label of every node (``{node: label}`` for networkx input).

    Notes
    -----
    O(m log d) per round. Synchronous updates can oscillate on bipartite
    structures; a fixed number of rounds keeps the result well defined.

    References
    ----------
    .. [1] Raghavan, Albert, Kumara. "Near linear time algorithm to detect
       community structures in large-scale networks." Phys. Rev. E 76, 2007.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> labels = gj.label_propagation(nx.complete_graph(4), max_iter=3)
    >>> sorted(set(labels.values()))
    [0]
    """
    labels = sG.nodes(unique=True)
    with sG.iterate(max_iter):
        labels = sG.var("labels", sG.builder.graph_ops.neighbor_mode_update(labels))
    return labels


def _neighbours_with(sG, labels, label):
    """How many neighbours of every node carry ``label``'s value at that node."""
    return sG.pull_edges((sG.src(labels) == sG.dst(label)).astype("i64"))


@register("label_propagation_semi_synchronous", EdgeWeights(None, None, "min"))
def label_propagation_semi_synchronous(sG, color: NodeValues = 0, colors=1,
                                       max_iter: NonNegativeInt = 1_000_000_000):
    """Semi-synchronous label propagation (Cordasco and Gargano), as networkx's
    ``label_propagation_communities`` computes it.

    Every node starts with its own index as label. Each round visits the colour
    classes of a proper colouring in order (``color``: one colour per node, 0 ..
    ``colors - 1``; networkx uses ``greedy_color(G, "largest_first")``); the
    nodes of one class, never neighbours of each other, update at once. A node
    keeps its label if it is among the most frequent labels of its neighbours,
    and otherwise takes the largest of those. Rounds stop when every node with
    neighbours carries one of its neighbours' most frequent labels.

    Parameters
    ----------
    color : one int per node
        The colouring; it must be proper (no edge inside a class) for the
        result to be networkx's.
    colors : int
        The number of colours.

    Returns
    -------
    ndarray of int64
        The community label of every node (``{node: label}`` for networkx input).

    Notes
    -----
    O(m log d) per colour class and round; unlike synchronous propagation it
    does not oscillate on bipartite structures.

    References
    ----------
    .. [1] Cordasco, G., Gargano, L. "Community detection via semi-synchronous
       label propagation algorithms." IEEE BASNA, 2010.

    Examples
    --------
    >>> import networkx as nx, groggy_jit as gj
    >>> gj.label_propagation_semi_synchronous(nx.path_graph(4), color=[0, 1, 0, 1], colors=2)
    {0: 1, 1: 1, 2: 3, 3: 3}
    """
    labels = sG.nodes(unique=True)
    top = -sG.pull(-labels, reduce="mode")       # the largest of the most frequent labels
    unsettled = _neighbours_with(sG, labels, labels) < _neighbours_with(sG, labels, top)
    with sG.while_any(unsettled, max_iter=max_iter):
        c = colors * 0
        with sG.iterate(colors):
            top = -sG.pull(-labels, reduce="mode")
            change = (color == c) & (_neighbours_with(sG, labels, labels)
                                     < _neighbours_with(sG, labels, top))
            labels = change.where(top, labels)
            c = c + 1
        top = -sG.pull(-labels, reduce="mode")
        unsettled = _neighbours_with(sG, labels, labels) < _neighbours_with(sG, labels, top)
    return labels
