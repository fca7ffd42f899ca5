"""The catalogue: algorithms written in the DSL, each compiled on first use."""

from .centrality import (betweenness_centrality, closeness_centrality, degree_centrality,
                         eigenvector_centrality, hits, katz_centrality)
from .community import label_propagation
from .components import connected_components, connected_components_fastsv
from .cores import core_number
from .pagerank import pagerank, personalized_pagerank
from .registry import REGISTRY
from .traversal import bfs, sssp, sssp_delta
from .triangles import clustering, jaccard, triangle_count, triangles

__all__ = ["pagerank", "personalized_pagerank", "degree_centrality", "hits", "katz_centrality",
           "eigenvector_centrality", "closeness_centrality", "betweenness_centrality",
           "label_propagation", "connected_components", "connected_components_fastsv", "core_number", "bfs", "sssp", "sssp_delta", "triangles", "triangle_count",
           "clustering", "jaccard", "REGISTRY"]
