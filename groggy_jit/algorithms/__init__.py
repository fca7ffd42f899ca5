"""The catalogue: algorithms written in the DSL, each compiled on first use."""

from .centrality import degree_centrality
from .community import label_propagation
from .components import connected_components
from .pagerank import pagerank
from .registry import REGISTRY
from .traversal import bfs, sssp

__all__ = ["pagerank", "degree_centrality", "label_propagation", "connected_components",
           "bfs", "sssp", "REGISTRY"]
