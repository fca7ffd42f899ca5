"""groggy-jit: graph algorithms in a small Python DSL, compiled to one parallel native kernel.

Importing this package does not import Numba; the first kernel that is needed does.
"""

from .version import __version__

from .errors import (CacheError, CompileError, ConvergenceError, CycleError, GraphInputError,
                     GroggyJITError, IRError, KindError, MissingDependencyError, ParameterError,
                     ParameterValueError, PartitionError, PipelineError, PlanFormatError,
                     ThreadingError, TraceError, UsageError)
from .graph import Graph, as_graph, read_edgelist, read_graph, read_matrix_market
from .ir.graph import IRGraph
from .dsl.trace import NodeId, NodePairs, NodeValues
from .ir.domains import (Domain, NodeSubset, NodeWeights, NonNegative, NonNegativeInt, Positive,
                         PositiveInt, Probability)
from .plan.estimate import estimate_performance
from .plan.generator import BatchPlanGenerator, PlanGenerator, compile_plan, compile_to_batch
from .plan.plan import BatchExecutionPlan, ExecutionPlan
from .driver import Algorithm, AlgorithmBuilder, algorithm
from .runtime.conditions import ConvergenceWarning
from .runtime.result import Result
from .algorithms import (betweenness_centrality, betweenness_centrality_weighted, bfs, bfs_depth, closeness_centrality,
                         connected_components, connected_components_afforest,
                         connected_components_fastsv, core_number, degree_centrality,
                         eigenvector_centrality, hits, in_degree_centrality, katz_centrality,
                         label_propagation, label_propagation_semi_synchronous,
                         out_degree_centrality,
                         pagerank, personalized_pagerank, sssp, sssp_delta, triangles,
                         triangle_count, clustering, clustering_directed, jaccard,
                         link_prediction)

__all__ = [
    "__version__", "algorithm", "NodeId", "NodePairs", "NodeValues", "Domain", "Probability", "Positive",
    "NonNegative", "PositiveInt", "NonNegativeInt", "NodeWeights", "NodeSubset",
    "AlgorithmBuilder", "Algorithm", "Result", "Graph", "as_graph",
    "read_edgelist", "read_matrix_market", "read_graph", "IRGraph", "ExecutionPlan",
    "BatchExecutionPlan", "PlanGenerator", "BatchPlanGenerator", "compile_plan", "compile_to_batch",
    "estimate_performance",
    "pagerank", "personalized_pagerank", "degree_centrality", "in_degree_centrality",
    "out_degree_centrality", "hits", "katz_centrality",
    "eigenvector_centrality", "closeness_centrality", "betweenness_centrality", "betweenness_centrality_weighted",
    "label_propagation", "label_propagation_semi_synchronous", "connected_components", "connected_components_afforest", "connected_components_fastsv", "core_number", "bfs", "bfs_depth", "sssp", "sssp_delta", "triangles", "triangle_count", "clustering", "clustering_directed", "jaccard", "link_prediction",
    "GroggyJITError", "GraphInputError", "ParameterError", "KindError", "IRError",
    "CycleError", "TraceError", "PlanFormatError", "CacheError", "CompileError",
    "PipelineError", "MissingDependencyError", "UsageError",
    "ParameterValueError", "ConvergenceError", "ThreadingError", "PartitionError",
    "ConvergenceWarning",
]
