"""What an algorithm run returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..graph import Graph


@dataclass(frozen=True)
class LoopReport:
    iterations: int
    converged: bool | None       # None for fixed-count loops
    # what the convergence test compared with tol in the last round (e.g. the L1 change);
    # None for loops without one.  Tiers agree on it within rounding, so not compared.
    residual: float | None = field(default=None, compare=False)
    # frontier rounds of the loop by direction, summed over its runs: how it ran, not
    # what it computed, so not compared (the interpreter has no directions)
    pushed: int = field(default=0, compare=False)     # from the frontier list, along its arcs
    pulled: int = field(default=0, compare=False)     # into every node


@dataclass
class Result:
    """Outputs of one run, aligned with ``graph``'s nodes, plus loop and timing reports."""
    values: dict[str, object]
    loops: list[LoopReport]
    graph: Graph
    times: dict[str, float] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)      # output -> node / edge / pair / scalar
    tier: str = "kernel"            # which tier answered: kernel or interpret

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

    @property
    def residual(self) -> float | None:
        """The first loop's final residual (see ``LoopReport.residual``)."""
        return self.loops[0].residual if self.loops else None

    @property
    def directions(self) -> list[dict]:
        """Per loop (in written order), how many frontier rounds pushed and pulled."""
        return [{"push": loop.pushed, "pull": loop.pulled} for loop in self.loops]

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

    # --- export ----------------------------------------------------------------------
    def _node_labels(self) -> list:
        labels = self.graph.node_labels
        return list(range(self.graph.num_nodes)) if labels is None else list(labels)

    def _names(self, kind: str) -> list[str]:
        return [k for k in self.values if self.kinds.get(k, "node") == kind]

    def loop_summary(self) -> dict:
        """``iterations``, ``converged`` and ``residual`` of the outermost loop; empty
        without loops."""
        if not self.loops:
            return {}
        return {"iterations": self.iterations, "converged": self.converged,
                "residual": self.residual}

    def to_dict(self) -> dict:
        """Every output by name: node maps as ``{node: value}``, edge maps as
        ``{(source, target): value}``, pair maps as lists (in the order of the pairs
        given), scalars as plain numbers."""
        labels = self._node_labels()
        out = {}
        for name, v in self.values.items():
            kind = self.kinds.get(name, "node")
            if kind == "node":
                out[name] = dict(zip(labels, np.asarray(v).tolist()))
            elif kind == "edge":
                out[name] = dict(zip(self.arcs(labels), np.asarray(v).tolist()))
            elif kind == "pair":
                out[name] = np.asarray(v).tolist()
            else:
                out[name] = np.asarray(v).item()
        return out

    def records(self, kind: str | None = None) -> list[dict]:
        """Tidy rows: one per node (``kind="node"``), per arc (``"edge"``) or per given
        pair (``"pair"``, numbered in the order given), with the scalar outputs and the
        loop summary repeated on each; one row if there are only scalars.  The default
        is the first of nodes, arcs and pairs that has outputs."""
        if kind is None:
            kind = next((k for k in ("node", "edge", "pair") if self._names(k)), "scalar")
        if kind not in ("node", "edge", "pair", "scalar"):
            raise ValueError(f"kind={kind!r}: use 'node', 'edge', 'pair' or 'scalar'")
        extra = {k: np.asarray(self.values[k]).item() for k in self._names("scalar")}
        extra |= self.loop_summary()
        if kind == "scalar":
            return [extra]
        labels = self._node_labels()
        columns = {k: np.asarray(self.values[k]).tolist() for k in self._names(kind)}
        if kind == "node":
            keys = [{"node": label} for label in labels]
        elif kind == "pair":
            keys = [{"pair": p} for p in range(len(next(iter(columns.values()), [])))]
        else:
            keys = [{"source": u, "target": v} for u, v in self.arcs(labels)]
        return [key | {k: col[i] for k, col in columns.items()} | extra
                for i, key in enumerate(keys)]

    def to_frame(self, kind: str | None = None):
        """The :meth:`records` as a pandas DataFrame (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:
            from ..errors import MissingDependencyError
            raise MissingDependencyError("Result.to_frame() needs pandas: pip install pandas, "
                                         "or use to_dict() / to_csv()") from None
        return pd.DataFrame.from_records(self.records(kind))

    def to_csv(self, path=None, kind: str | None = None) -> str | None:
        """The :meth:`records` as CSV with a header; written to ``path``, or returned."""
        import csv
        import io
        rows = self.records(kind)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else [],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        if path is None:
            return buffer.getvalue()
        with open(path, "w", newline="", encoding="utf-8") as f:
            f.write(buffer.getvalue())
        return None

    def __repr__(self) -> str:
        outs = ", ".join(f"{k}: {type(v).__name__}{getattr(v, 'shape', '')}"
                         for k, v in self.values.items())
        residual = "" if self.residual is None else f", residual={self.residual:.3g}"
        return (f"Result({outs}; iterations={self.iterations}, converged={self.converged}"
                f"{residual})")
