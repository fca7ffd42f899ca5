"""The catalogue: algorithms written in the DSL, each compiled on first use."""

from .centrality import (betweenness_centrality, betweenness_centrality_weighted, closeness_centrality, degree_centrality,
                         eigenvector_centrality, hits, in_degree_centrality, katz_centrality,
                         out_degree_centrality)
from .community import label_propagation, label_propagation_semi_synchronous
from .components import connected_components, connected_components_afforest, connected_components_fastsv
from .cores import core_number
from .link_prediction import link_prediction
from .pagerank import pagerank, personalized_pagerank
from .registry import REGISTRY
from .traversal import bfs, bfs_depth, sssp, sssp_delta
from .triangles import clustering, clustering_directed, jaccard, triangle_count, triangles

__all__ = ["pagerank", "personalized_pagerank", "degree_centrality", "in_degree_centrality",
           "out_degree_centrality", "hits", "katz_centrality",
           "eigenvector_centrality", "closeness_centrality", "betweenness_centrality", "betweenness_centrality_weighted",
           "label_propagation", "label_propagation_semi_synchronous", "connected_components", "connected_components_afforest", "connected_components_fastsv", "core_number", "bfs", "bfs_depth", "sssp", "sssp_delta", "triangles", "triangle_count",
           "clustering", "clustering_directed", "jaccard", "link_prediction", "REGISTRY"]
