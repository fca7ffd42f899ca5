"""What an algorithm run returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..graph import Graph


@dataclass(frozen=True)
class LoopReport:
    iterations: int
    converged: bool | None       # None for fixed-count loops


@dataclass
class Result:
    """Outputs of one run, aligned with ``graph``'s nodes, plus loop and timing reports."""
    values: dict[str, object]
    loops: list[LoopReport]
    graph: Graph
    times: dict[str, float] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)      # output -> node / edge / scalar

    @property
    def value(self):
        """The single output (or a dict of outputs when there are several)."""
        if len(self.values) == 1:
            return next(iter(self.values.values()))
        return dict(self.values)

    @property
    def iterations(self) -> int:
        """Iterations run by the first (outermost) loop; 0 without loops."""
        return self.loops[0].iterations if self.loops else 0

    @property
    def converged(self) -> bool | None:
        return self.loops[0].converged if self.loops else None

    def labelled(self):
        """Like ``value``, but node maps as ``{node: value}`` (networkx's style)."""
        labels = self.graph.node_labels
        if labels is None:
            labels = range(self.graph.num_nodes)

        def label(name, v):
            kind = self.kinds.get(name, "node")
            if kind == "node" and isinstance(v, np.ndarray) and v.shape == (self.graph.num_nodes,):
                return dict(zip(labels, v.tolist()))
            if kind == "edge" and isinstance(v, np.ndarray):
                return dict(zip(self.arcs(labels), v.tolist()))
            return v
        if len(self.values) == 1:
            return label(*next(iter(self.values.items())))
        return {k: label(k, v) for k, v in self.values.items()}

    def arcs(self, labels=None) -> list[tuple]:
        """(source, target) of every arc in edge-map order (grouped by target)."""
        g = self.graph
        labels = range(g.num_nodes) if labels is None else labels
        targets = np.repeat(np.arange(g.num_nodes), np.diff(g.in_indptr))
        return [(labels[u], labels[v]) for u, v in zip(g.in_indices.tolist(), targets.tolist())]

    def __repr__(self) -> str:
        outs = ", ".join(f"{k}: {type(v).__name__}{getattr(v, 'shape', '')}"
                         for k, v in self.values.items())
        return f"Result({outs}; iterations={self.iterations}, converged={self.converged})"
