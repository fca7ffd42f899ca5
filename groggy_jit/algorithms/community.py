"""Label propagation communities."""

from ..ir.domains import NonNegativeInt
from .registry import register

__all__ = ["label_propagation"]


@register("label_propagation")
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
