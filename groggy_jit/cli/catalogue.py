"""``groggy-jit list`` and ``groggy-jit explain``, and how the commands find an algorithm."""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import os
import sys

from ..errors import UsageError

# What each catalogue algorithm computes in networkx (or scipy), for `list`.
COUNTERPARTS = {
    "pagerank": "networkx.pagerank(weight=None)",
    "personalized_pagerank": "networkx.pagerank(personalization=...)",
    "degree_centrality": "networkx.degree_centrality",
    "hits": "networkx.hits",
    "katz_centrality": "networkx.katz_centrality",
    "eigenvector_centrality": "networkx.eigenvector_centrality",
    "closeness_centrality": "networkx.closeness_centrality",
    "betweenness_centrality": "networkx.betweenness_centrality",
    "label_propagation": "(synchronous; ties to the smallest label)",
    "connected_components": "networkx.connected_components (weakly, when directed)",
    "connected_components_afforest": "networkx.connected_components (weakly, when directed)",
    "connected_components_fastsv": "networkx.connected_components (weakly, when directed)",
    "core_number": "networkx.core_number",
    "bfs": "networkx.single_source_shortest_path_length",
    "sssp": "scipy.sparse.csgraph.dijkstra",
    "sssp_delta": "scipy.sparse.csgraph.dijkstra",
    "triangles": "networkx.triangles",
    "triangle_count": "sum(networkx.triangles(G).values()) // 3",
    "clustering": "networkx.clustering",
    "jaccard": "networkx.jaccard_coefficient(G, G.edges())",
    "link_prediction": "networkx.jaccard_coefficient, resource_allocation_index, "
                       "adamic_adar_index, preferential_attachment (G, ebunch)",
}


def resolve_algorithm(spec: str):
    """A catalogue name, ``pkg.module:function`` or ``path/to/file.py:function``."""
    from ..algorithms import REGISTRY
    from ..driver import Algorithm
    if ":" not in spec:
        if spec in REGISTRY:
            return REGISTRY[spec]
        close = difflib.get_close_matches(spec, list(REGISTRY), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UsageError(f"unknown algorithm {spec!r}{hint}; `groggy-jit list` shows the "
                         "catalogue, and pkg.module:function names your own")
    module_name, _, attr = spec.rpartition(":")
    module = _import(module_name)
    found = getattr(module, attr, None)
    if isinstance(found, Algorithm):
        return found
    if callable(found):
        return Algorithm.from_function(found)
    raise UsageError(f"{module_name} has no algorithm or function named {attr!r}")


def _import(module_name: str):
    try:
        if module_name.endswith(".py"):
            name = os.path.splitext(os.path.basename(module_name))[0]
            spec = importlib.util.spec_from_file_location(name, module_name)
            if spec is None or not os.path.isfile(module_name):
                raise FileNotFoundError(f"no such file {module_name}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
        if os.getcwd() not in sys.path:          # as `python -m` would find it
            sys.path.insert(0, os.getcwd())
        return importlib.import_module(module_name)
    except Exception as error:                   # the user's module: any error is theirs
        raise UsageError(f"cannot import {module_name} ({type(error).__name__}: "
                         f"{error})") from error


def describe_params(algo) -> str:
    parts = []
    for p in sorted(algo.params.values(), key=lambda p: p.name):
        kind = " (node)" if p.node else " (per node)" if p.per_node else \
            " (node pairs)" if p.pairs else ""
        parts.append(f"{p.name}={p.default!r}{kind}")
    return ", ".join(parts) or "-"


def list_command() -> int:
    from ..algorithms import REGISTRY
    rows = [(name, describe_params(algo), COUNTERPARTS.get(name, "-"))
            for name, algo in sorted(REGISTRY.items())]
    width = [max(len(r[i]) for r in rows + [("algorithm", "parameters", "networkx")])
             for i in range(2)]
    print(f"{'algorithm':<{width[0]}}  {'parameters':<{width[1]}}  matches")
    for name, params, counterpart in rows:
        print(f"{name:<{width[0]}}  {params:<{width[1]}}  {counterpart}")
    return 0


def explain_command(spec: str) -> int:
    algo = resolve_algorithm(spec)
    print(algo.explain())
    print(f"\n== generated source\n{algo.source}")
    return 0
