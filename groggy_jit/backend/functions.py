"""The networkx functions groggy-jit runs: networkx's signatures, answers, return shapes and
exceptions, each computed by a compiled catalogue algorithm."""

from __future__ import annotations

import math
from collections import Counter

import networkx as nx
import numpy as np

from ..algorithms import REGISTRY
from .graph import BackendGraph

# calls answered by groggy-jit in this process, by networkx function name
DISPATCHED: Counter = Counter()

# the catalogue algorithm each function runs (pagerank with personalization runs
# personalized_pagerank; this one decides whether its kernel is compiled yet)
ALGORITHMS = {
    "pagerank": "pagerank", "hits": "hits", "katz_centrality": "katz_centrality",
    "eigenvector_centrality": "eigenvector_centrality",
    "degree_centrality": "degree_centrality", "in_degree_centrality": "in_degree_centrality",
    "out_degree_centrality": "out_degree_centrality",
    "closeness_centrality": "closeness_centrality",
    "betweenness_centrality": "betweenness_centrality",
    "single_source_shortest_path_length": "bfs", "bfs_layers": "bfs_depth",
    "bfs_edges": "bfs_depth", "bfs_tree": "bfs_depth",
    "single_source_dijkstra_path_length": "sssp", "single_source_bellman_ford_path_length": "sssp",
    "all_pairs_shortest_path_length": "bfs", "all_pairs_dijkstra_path_length": "sssp",
    "all_pairs_bellman_ford_path_length": "sssp",
    "triangles": "triangles", "transitivity": "triangles", "clustering": "clustering",
    "average_clustering": "clustering",
    **dict.fromkeys(["core_number", "k_core", "k_shell", "k_crust", "k_corona"], "core_number"),
    "label_propagation_communities": "label_propagation_semi_synchronous",
    **dict.fromkeys(["connected_components", "number_connected_components", "is_connected",
                     "node_connected_component", "weakly_connected_components",
                     "number_weakly_connected_components", "is_weakly_connected"],
                    "connected_components_fastsv"),
    **dict.fromkeys(["jaccard_coefficient", "adamic_adar_index", "resource_allocation_index",
                     "preferential_attachment", "common_neighbor_centrality"],
                    "link_prediction"),
}


def compiled(function: str) -> bool:
    """Whether the kernel ``function`` runs is compiled, in this process or on disk
    (True for a function that runs no kernel)."""
    from ..runtime.cache import DEFAULT_CACHE
    if function not in ALGORITHMS:
        return True
    algorithm = REGISTRY[ALGORITHMS[function]]
    return any(DEFAULT_CACHE.has_compiled(algorithm.source_for("int32", weighted).text)
               for weighted in (False, True))


# --- running a catalogue algorithm on a backend graph ---------------------------------------

def _weight_keyword(G: BackendGraph, weight, parallel) -> str | None:
    """What to pass as the algorithm's weight keyword so it reads ``G`` as networkx would."""
    if callable(weight):
        raise NotImplementedError("weights given as a function are not supported")
    if weight is not None:
        if weight != G.weight:
            raise NotImplementedError(f"the graph was converted with weight {G.weight!r}, "
                                      f"not {weight!r}")
        return "weight"
    if parallel == "sum" and G.multigraph:      # parallel edges counted: those are the weights
        if G.weight is not None:
            raise NotImplementedError(f"the graph was converted with weight {G.weight!r}")
        return "weight"
    return None


def _run(function: str, algorithm: str, G: BackendGraph, weight=None, reverse=False,
         counted=True, **params):
    """Run the catalogue ``algorithm`` for the networkx ``function`` (on G with its arcs
    turned around: ``reverse``); its Result.  ``counted=False``: one of several runs of a
    call that counts itself."""
    algo = REGISTRY[algorithm]
    rule = algo.weights
    if rule.parallel is None and G.multigraph:
        raise nx.NetworkXNotImplemented("not implemented for multigraph type")
    graph = G.graph_for(rule.parallel)
    if reverse:
        graph = graph.reversed()
    if rule.keyword is not None:
        params[rule.keyword] = _weight_keyword(G, weight, rule.parallel)
    if "nonnegative_weights" in algo.ir.requirements:
        _refuse_negative(graph)
    # networkx's own exception for a loop that did not converge is raised by the caller
    result = algo.run(graph, on_nonconvergence="ignore", **params)
    if counted:
        DISPATCHED[function] += 1
    return result


def _refuse_negative(graph) -> None:
    if graph.weighted and bool(np.any(graph.out_weights < 0)):
        raise NotImplementedError("negative edge weights are not supported")


def _by_node(G: BackendGraph, values) -> dict:
    """``{node: value}`` in G's node order, with Python scalars."""
    return dict(zip(G.nodes, np.asarray(values).tolist()))


def _converged(result, max_iter):
    if not result.converged:
        raise nx.PowerIterationFailedConvergence(max_iter)
    return result.value


def _values_of(G: BackendGraph, given: dict | None) -> dict | None:
    """A ``{node: value}`` argument restricted to G's nodes (networkx ignores the others)."""
    if given is None:
        return None
    return {node: value for node, value in given.items() if node in G}


def _check_source(G: BackendGraph, source, message: str):
    if source not in G:
        raise nx.NodeNotFound(message.format(source))


def self_loops(graph) -> np.ndarray:
    """How many self loops each node of ``graph`` has (0 or 1: arcs are merged)."""
    sources = np.repeat(np.arange(graph.num_nodes), np.diff(graph.out_indptr))
    return np.bincount(sources[sources == graph.out_indices], minlength=graph.num_nodes)


def nx_degree(graph) -> np.ndarray:
    """networkx's ``G.degree`` of a simple graph: a self loop counts twice."""
    return graph.out_degree + self_loops(graph)


# --- link analysis ---------------------------------------------------------------------------

def pagerank(G, alpha=0.85, personalization=None, max_iter=100, tol=1.0e-6, nstart=None,
             weight="weight", dangling=None):
    if len(G) == 0:
        return {}
    if personalization is None and nstart is None and dangling is None:
        result = _run("pagerank", "pagerank", G, weight, damping=alpha, max_iter=max_iter,
                      tol=tol)
        return _by_node(G, _converged(result, max_iter))
    params = {}
    if personalization is not None:
        params["personalization"] = _values_of(G, personalization)
        if not sum(params["personalization"].values()):
            raise ZeroDivisionError("the personalization vector sums to zero")
    if nstart is not None:
        params["nstart"] = _values_of(G, nstart)
    if dangling is not None:
        params["dangling"] = _values_of(G, dangling)
        params["dangling_given"] = True
    result = _run("pagerank", "personalized_pagerank", G, weight, damping=alpha,
                  max_iter=max_iter, tol=tol, **params)
    return _by_node(G, _converged(result, max_iter))


def hits(G, max_iter=100, tol=1.0e-8, nstart=None, normalized=True):
    if len(G) == 0:
        return {}, {}
    if max_iter <= 0:
        raise nx.PowerIterationFailedConvergence(max_iter)
    params = {} if nstart is None else {"nstart": _values_of(G, nstart)}
    result = _run("hits", "hits", G, G.weight, max_iter=max_iter, tol=tol,
                  normalized=normalized, **params)
    out = _converged(result, max_iter)
    return _by_node(G, out["hubs"]), _by_node(G, out["authorities"])


# --- centrality ------------------------------------------------------------------------------

def _degree_centrality(function, algorithm, G):
    if len(G) <= 1:
        return {n: 1 for n in G}
    return _by_node(G, _run(function, algorithm, G).value)


def degree_centrality(G):
    return _degree_centrality("degree_centrality", "degree_centrality", G)


def in_degree_centrality(G):
    return _degree_centrality("in_degree_centrality", "in_degree_centrality", G)


def out_degree_centrality(G):
    return _degree_centrality("out_degree_centrality", "out_degree_centrality", G)


def katz_centrality(G, alpha=0.1, beta=1.0, max_iter=1000, tol=1.0e-6, nstart=None,
                    normalized=True, weight=None):
    if len(G) == 0:
        return {}
    if isinstance(beta, dict):
        if set(beta) != set(G):
            raise nx.NetworkXError("beta dictionary must have a value for every node")
    else:
        try:
            beta = float(beta)
        except (TypeError, ValueError) as e:
            raise nx.NetworkXError("beta must be a number") from e
    params = {} if nstart is None else {"nstart": _values_of(G, nstart)}
    result = _run("katz_centrality", "katz_centrality", G, weight, alpha=alpha, beta=beta,
                  max_iter=max_iter, tol=tol, normalized=normalized, **params)
    return _by_node(G, _converged(result, max_iter))


def eigenvector_centrality(G, max_iter=100, tol=1.0e-6, nstart=None, weight=None):
    if len(G) == 0:
        raise nx.NetworkXPointlessConcept("cannot compute centrality for the null graph")
    params = {}
    if nstart is not None:
        if all(v == 0 for v in nstart.values()):
            raise nx.NetworkXError("initial vector cannot have all zero values")
        params["nstart"] = _values_of(G, nstart)
    result = _run("eigenvector_centrality", "eigenvector_centrality", G, weight,
                  max_iter=max_iter, tol=tol, **params)
    return _by_node(G, _converged(result, max_iter))


def closeness_centrality(G, u=None, distance=None, wf_improved=True):
    if u is not None:
        _check_source(G, u, "Source {} is not in G")
    nodes = True if u is None else {u}                  # one node: one search
    values = _by_node(G, _run("closeness_centrality", "closeness_centrality", G, distance,
                              wf_improved=wf_improved, nodes=nodes).value)
    return values if u is None else values[u]


def betweenness_centrality(G, k=None, normalized=True, weight=None, endpoints=False,
                           seed=None):
    if weight is not None and G.directed:
        raise NotImplementedError("weighted betweenness of directed graphs is not supported yet")
    if k == len(G):
        k = None
    sources = True if k is None else set(seed.sample(list(G), k))
    if k == 0:                                # no source: networkx's rescaling divides by 0
        if len(G) - (not endpoints) >= 2:
            raise ZeroDivisionError("betweenness from k=0 sources: nothing to rescale by")
        return dict.fromkeys(G.nodes, 0.0)
    if weight is None:
        result = _run("betweenness_centrality", "betweenness_centrality", G,
                      normalized=normalized, endpoints=endpoints, sources=sources)
    else:
        weights = G.lightest.out_weights
        if weights is not None and bool(np.any(weights <= 0)):
            raise NotImplementedError("weighted betweenness needs positive weights")
        result = _run("betweenness_centrality", "betweenness_centrality_weighted", G, weight,
                      normalized=normalized, endpoints=endpoints, sources=sources)
    return _by_node(G, result.value)


# --- components ------------------------------------------------------------------------------

def _component_labels(function, G) -> np.ndarray:
    return np.asarray(_run(function, "connected_components_fastsv", G).value)


def _components(function, G):
    """The components as fresh sets, in the order networkx finds them (by first node)."""
    labels = _component_labels(function, G)
    members: dict[int, set] = {}
    for node, label in zip(G.nodes, labels.tolist()):
        members.setdefault(label, set()).add(node)
    yield from members.values()


def _count_components(function, G) -> int:
    return len(np.unique(_component_labels(function, G)))


def _is_connected(function, G) -> bool:
    if len(G) == 0:
        raise nx.NetworkXPointlessConcept("Connectivity is undefined for the null graph.")
    return _count_components(function, G) == 1


def connected_components(G):
    return _components("connected_components", G)


def weakly_connected_components(G):
    return _components("weakly_connected_components", G)


def number_connected_components(G):
    return _count_components("number_connected_components", G)


def number_weakly_connected_components(G):
    return _count_components("number_weakly_connected_components", G)


def is_connected(G):
    return _is_connected("is_connected", G)


def is_weakly_connected(G):
    return _is_connected("is_weakly_connected", G)


def node_connected_component(G, n):
    _check_source(G, n, "Node {} is not in the graph.")
    labels = _component_labels("node_connected_component", G)
    mine = labels[G.positions[n]]
    return {node for node, label in zip(G.nodes, labels.tolist()) if label == mine}


# --- traversal and shortest paths ------------------------------------------------------------

def _within(G, distances, cutoff, unreached) -> dict:
    """``{node: distance}`` for reached nodes within ``cutoff``, nearest first."""
    values = np.asarray(distances)
    keep = values != unreached
    if cutoff is not None:
        keep &= values <= cutoff
    order = np.flatnonzero(keep)
    order = order[np.argsort(values[order], kind="stable")]
    nodes = G.nodes
    return {nodes[i]: d for i, d in zip(order.tolist(), values[order].tolist())}


def single_source_shortest_path_length(G, source, cutoff=None):
    _check_source(G, source, "Source {} is not in G")
    depth = _run("single_source_shortest_path_length", "bfs", G, source=source).value["depth"]
    return _within(G, depth, cutoff, -1)


def bfs_layers(G, sources):
    if sources in G:
        sources = [sources]
    sources = list(sources)
    for source in sources:
        if source not in G:
            raise nx.NetworkXError(f"The node {source} is not in the graph.")
    first = [G.positions[s] for s in dict.fromkeys(sources)]
    depth = np.asarray(_run("bfs_layers", "bfs_depth", G, sources=set(sources)).value)
    nodes = G.nodes
    yield [nodes[i] for i in first]
    for _, layer in _bfs_scan(depth, first, G.adjacency_order()):
        yield [nodes[i] for i in layer.tolist()]


def _bfs_scan(depth, first, order, depth_limit=None):
    """networkx's breadth-first order, layer after layer: (parents, children) of each
    layer below the first, each child found first by its parent, as a scan of the
    previous layer's adjacency lists (in ``order``) finds it."""
    indptr, indices = order
    layer = np.asarray(first, dtype=np.int64)
    level = 0
    while layer.size and (depth_limit is None or level < depth_limit):
        level += 1
        starts, ends = indptr[layer], indptr[layer + 1]
        counts = ends - starts
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        parents, reached = np.repeat(layer, counts), indices[offsets]
        new = depth[reached] == level
        parents, reached = parents[new], reached[new]
        _, at = np.unique(reached, return_index=True)
        at.sort()
        layer = reached[at]
        if layer.size:
            yield parents[at], layer


def bfs_edges(G, source, reverse=False, depth_limit=None, sort_neighbors=None):
    reverse = reverse and G.directed
    if source not in G:
        kind = "digraph" if G.directed else "graph"
        raise nx.NetworkXError(f"The node {source} is not in the {kind}.")
    first = [G.positions[source]]
    depth = np.asarray(_run("bfs_edges", "bfs_depth", G, reverse=reverse,
                            sources={source}).value)
    nodes = G.nodes
    order = G.adjacency_order(reverse, sort_neighbors)
    for parents, children in _bfs_scan(depth, first, order, depth_limit):
        yield from ((nodes[p], nodes[c]) for p, c in zip(parents.tolist(), children.tolist()))


def bfs_tree(G, source, reverse=False, depth_limit=None, sort_neighbors=None):
    T = nx.DiGraph()
    T.add_node(source)
    T.add_edges_from(bfs_edges(G, source, reverse, depth_limit, sort_neighbors))
    DISPATCHED["bfs_tree"] += 1
    return T


def _shortest_distances(function, G, source, cutoff, weight, message):
    _check_source(G, source, message)
    distances = _run(function, "sssp", G, weight, source=source).value
    return _within(G, distances, cutoff, math.inf)


def single_source_dijkstra_path_length(G, source, cutoff=None, weight="weight"):
    return _shortest_distances("single_source_dijkstra_path_length", G, source, cutoff, weight,
                               "Node {} not found in graph")


def single_source_bellman_ford_path_length(G, source, weight="weight"):
    return _shortest_distances("single_source_bellman_ford_path_length", G, source, None,
                               weight, "Source {} not in G")


def all_pairs_shortest_path_length(G, cutoff=None):
    return ((n, single_source_shortest_path_length(G, n, cutoff)) for n in G.nodes)


def _all_pairs_distances(G, cutoff, weight):
    _weight_keyword(G, weight, "min")                 # refuse now, not at the first item
    _refuse_negative(G.lightest)
    return ((n, single_source_dijkstra_path_length(G, n, cutoff, weight)) for n in G.nodes)


def all_pairs_dijkstra_path_length(G, cutoff=None, weight="weight"):
    return _all_pairs_distances(G, cutoff, weight)


def all_pairs_bellman_ford_path_length(G, weight="weight"):
    return _all_pairs_distances(G, None, weight)


# --- clustering and cores --------------------------------------------------------------------

def _selected(G, values: dict, nodes):
    """networkx's ``nodes=`` argument: one node gives its value, several a dict."""
    if nodes is None:
        return values
    if nodes in G:
        return values[nodes]
    return {n: values[n] for n in nodes if n in G}


def triangles(G, nodes=None):
    counts = _by_node(G, _run("triangles", "triangles", G).value)
    return _selected(G, counts, nodes)


def _clustering(function, G, weight) -> dict:
    if G.multigraph:
        raise nx.NetworkXNotImplemented("not implemented for multigraph type")
    algorithm = "clustering_directed" if G.directed else "clustering"
    return _by_node(G, _run(function, algorithm, G, weight).value)


def clustering(G, nodes=None, weight=None):
    return _selected(G, _clustering("clustering", G, weight), nodes)


def average_clustering(G, nodes=None, weight=None, count_zeros=True):
    values = _clustering("average_clustering", G, weight)
    chosen = G.nodes if nodes is None else [nodes] if nodes in G else nodes
    c = [values[n] for n in chosen if n in G]
    if not count_zeros:
        c = [v for v in c if abs(v) > 0]
    return sum(c) / len(c)


def transitivity(G):
    if G.multigraph:
        raise nx.NetworkXNotImplemented("not implemented for multigraph type")
    if G.directed:
        raise NotImplementedError("transitivity of a directed graph is not supported yet")
    through = np.asarray(_run("transitivity", "triangles", G).value, dtype=np.int64)
    graph = G.lightest
    degree = graph.out_degree - self_loops(graph)
    found = int(2 * through.sum())
    return 0 if found == 0 else found / int((degree * (degree - 1)).sum())


def _cores(function, G) -> dict:
    if np.any(self_loops(G.graph_for("min"))):
        raise nx.NetworkXNotImplemented(
            "Input graph has self loops which is not permitted; "
            "Consider using G.remove_edges_from(nx.selfloop_edges(G)).")
    return _by_node(G, _run(function, "core_number", G).value)


def core_number(G):
    return _cores("core_number", G)


def _core_subgraph(function, G, keep, k, cores, default_k):
    """networkx's subgraph of the nodes ``keep(v, k, cores)`` selects, with G's attributes."""
    if cores is None:
        cores = _cores(function, G)
    else:
        DISPATCHED[function] += 1
    if k is None:
        k = default_k(cores)
    return G.source.subgraph(v for v in cores if keep(v, k, cores)).copy()


def k_core(G, k=None, core_number=None):
    return _core_subgraph("k_core", G, lambda v, k, c: c[v] >= k, k, core_number,
                          lambda c: max(c.values()))


def k_shell(G, k=None, core_number=None):
    return _core_subgraph("k_shell", G, lambda v, k, c: c[v] == k, k, core_number,
                          lambda c: max(c.values()))


def k_crust(G, k=None, core_number=None):
    return _core_subgraph("k_crust", G, lambda v, k, c: c[v] <= k, k, core_number,
                          lambda c: max(c.values()) - 1)


def k_corona(G, k, core_number=None):
    def keep(v, k, c):
        return c[v] == k and k == sum(1 for w in G.source[v] if c[w] >= k)
    return _core_subgraph("k_corona", G, keep, k, core_number, None)


# --- communities -----------------------------------------------------------------------------

def _largest_first_coloring(G) -> list[int]:
    """networkx's ``greedy_color(G, "largest_first")``, as a colour per node index.

    Sequential by definition: one pass over the arcs in Python.
    """
    graph = G.lightest
    n = graph.num_nodes
    indptr, indices = graph.out_indptr.tolist(), graph.out_indices.tolist()
    sources = np.repeat(np.arange(n), np.diff(graph.out_indptr))
    loops = sources == graph.out_indices
    if G.multigraph and G.counted.weighted:      # networkx's degree counts parallel edges
        counts = G.counted.out_weights
        degree = np.bincount(sources, weights=counts, minlength=n) + np.bincount(
            sources[loops], weights=counts[loops], minlength=n)
    else:
        degree = nx_degree(graph)
    colors = [-1] * n
    for u in np.argsort(-degree, kind="stable").tolist():
        used = {colors[v] for v in indices[indptr[u]:indptr[u + 1]]}
        color = 0
        while color in used:
            color += 1
        colors[u] = color
    return colors


def label_propagation_communities(G):
    colors = _largest_first_coloring(G)
    labels = _run("label_propagation_communities", "label_propagation_semi_synchronous", G,
                  color=colors, colors=max(colors, default=-1) + 1).value
    clusters: dict[int, set] = {}
    for node, label in zip(G.nodes, np.asarray(labels).tolist()):
        clusters.setdefault(label, set()).add(node)
    return clusters.values()
