"""What networkx reads about the backend before loading it: no networkx or Numba import here.

``FUNCTIONS`` maps each dispatched networkx function to the parameters it
supports; it is the table networkx shows in its docs and the backend's list of
what it implements.
"""

FUNCTIONS = {
    "pagerank": "all: alpha, personalization, max_iter, tol, nstart, weight, dangling",
    "hits": "all: max_iter, tol, nstart, normalized (edge weights from 'weight')",
    "katz_centrality": "all: alpha, beta (number or dict), max_iter, tol, nstart, normalized, weight",
    "eigenvector_centrality": "all: max_iter, tol, nstart, weight",
    "degree_centrality": "all",
    "in_degree_centrality": "all",
    "out_degree_centrality": "all",
    "closeness_centrality": "all: u, distance, wf_improved",
    "betweenness_centrality": "all: k, normalized, weight (undirected graphs, positive "
                              "weights), endpoints, seed",
    "connected_components": "all",
    "number_connected_components": "all",
    "is_connected": "all",
    "node_connected_component": "all",
    "weakly_connected_components": "all",
    "number_weakly_connected_components": "all",
    "is_weakly_connected": "all",
    "single_source_shortest_path_length": "all: source, cutoff",
    "bfs_layers": "all: sources (one node or several)",
    "bfs_edges": "all: source, reverse, depth_limit, sort_neighbors",
    "bfs_tree": "all: source, reverse, depth_limit, sort_neighbors",
    "single_source_dijkstra_path_length": "source, cutoff, weight (an attribute name, not a "
                                          "function; weights must not be negative)",
    "single_source_bellman_ford_path_length": "source, weight (an attribute name; weights "
                                              "must not be negative)",
    "all_pairs_shortest_path_length": "all: cutoff (one search per node)",
    "all_pairs_dijkstra_path_length": "cutoff, weight (an attribute name; weights must not be "
                                      "negative)",
    "all_pairs_bellman_ford_path_length": "weight (an attribute name; weights must not be "
                                          "negative)",
    "triangles": "all: nodes",
    "clustering": "all: nodes, weight (directed graphs too)",
    "average_clustering": "all: nodes, weight, count_zeros (directed graphs too)",
    "transitivity": "all (undirected)",
    "core_number": "all",
    "k_core": "all: k, core_number",
    "k_shell": "all: k, core_number",
    "k_crust": "all: k, core_number",
    "k_corona": "all: k, core_number",
    "label_propagation_communities": "all (semi-synchronous, networkx's colouring)",
    "jaccard_coefficient": "all: ebunch (default: every non-edge, in networkx's order)",
    "adamic_adar_index": "all: ebunch",
    "resource_allocation_index": "all: ebunch",
    "preferential_attachment": "all: ebunch",
    "common_neighbor_centrality": "all: ebunch, alpha",
}


def get_info() -> dict:
    """The ``networkx.backend_info`` entry point."""
    return {
        "backend_name": "groggy_jit",
        "project": "groggy-jit",
        "package": "groggy_jit",
        "short_summary": "Compiled, parallel kernels generated from a graph DSL (Numba).",
        "functions": {name: {"additional_docs": f"Supported parameters: {params}."}
                      for name, params in FUNCTIONS.items()},
        "default_config": {},
    }
