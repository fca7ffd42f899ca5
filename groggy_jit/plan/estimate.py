"""``estimate_performance``: bytes moved, operations and predicted time of a plan.

The model is a memory-bandwidth one, the regime graph kernels live in.  Every
fused parallel loop (a ``GroupStep``) costs, per run:

* ``read``: each array it reads that it does not produce itself, once
  (itemsize × n for a node map);
* ``write``: each array it stores (materialized members, loop-carry writes);
* ``index``: the adjacency a pull or degree reads: indptr ``itemsize × (n + 1)``
  and, for a pull, indices ``itemsize × arcs`` per direction, plus weights
  ``8 × arcs`` for weighted pulls;
* ``gather``: the source values a pull reads at its neighbours,
  ``itemsize × arcs`` per direction (and the mask, if any); a mode pull also
  writes and re-reads its scratch window (``scratch``);
* ``copy``: a loop's copy-in of its carried node maps, once per loop entry.

Reductions fold into their loop and add no bytes.  Operations are one per
member per node and one per arc per pull.  Loop bodies count once per
iteration; unless ``iterations`` is given, a loop is assumed to run to its
bound (its count for a fixed loop, its ``max_iter`` default otherwise), so
convergence loops are estimated at their upper bound.  Predicted seconds are
bytes per run over ``bandwidth_gbs``; random gathers usually stream slower than
that, so treat the prediction as a lower bound.

Examples
--------
>>> import groggy_jit as gj
>>> from groggy_jit.plan.estimate import estimate_performance
>>> est = estimate_performance(gj.pagerank.plan, num_nodes=1000, num_edges=16000,
...                            iterations=20)
>>> est.bytes_per_iteration > 16000 * 4       # the indices alone
True
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Mapping

import numpy as np

from ..graph import as_graph
from ..ir.graph import IRGraph
from ..ir.ops import op_def
from ..ir.types import Kind
from .liveness import storage_of
from .plan import ExecutionPlan
from .steps import GroupStep, LoopStep, OwnPassStep, ScalarStep

__all__ = ["estimate_performance", "PerformanceEstimate", "StepEstimate", "BYTE_KINDS"]

BYTE_KINDS = ("read", "write", "index", "gather", "scratch", "copy")
PULL_KINDS = ("index", "gather", "scratch")


@dataclass
class StepEstimate:
    """One row of an estimate: a step, how often it runs, and its cost per execution."""
    label: str
    depth: int
    runs: int                                   # executions per algorithm run
    bytes: Counter = field(default_factory=Counter)   # per execution, by kind
    ops: int = 0                                # per execution
    per_iteration: int = 0                      # executions per iteration of its top loop
    kind: str = "group"                         # group | loop | scalar | setup

    @property
    def total_bytes(self) -> int:
        return sum(self.bytes.values())


@dataclass
class PerformanceEstimate:
    """What one run of a plan moves and computes, and how long that should take.

    ``*_per_iteration`` is one iteration of every top-level loop's body
    (nested loops included at their assumed iteration counts); ``*_per_run``
    is the whole run, set-up included; ``setup_*`` is the work outside loops.
    """
    name: str
    num_nodes: int
    num_edges: int
    directed: bool
    index_dtype: str
    bandwidth_gbs: float
    iterations: dict[int, int]
    iteration_notes: dict[int, str]
    rows: list[StepEstimate]
    setup_bytes: int
    setup_ops: int
    bytes_per_iteration: int
    ops_per_iteration: int
    bytes_per_run: int
    ops_per_run: int
    bytes_by_kind: dict[str, int]               # per run
    iteration_bytes_by_kind: dict[str, int]     # per iteration
    seconds: float

    @property
    def pull_bytes_per_iteration(self) -> int:
        """Adjacency reads and neighbour gathers of one iteration."""
        return sum(self.iteration_bytes_by_kind[k] for k in PULL_KINDS)

    @property
    def pull_bytes_per_run(self) -> int:
        return sum(self.bytes_by_kind[k] for k in PULL_KINDS)

    def table(self) -> str:
        kind = "directed" if self.directed else "undirected"
        lines = [f"estimate {self.name}: {self.num_nodes:,} nodes, {self.num_edges:,} arcs "
                 f"({kind}), index {self.index_dtype}, {self.bandwidth_gbs:g} GB/s",
                 f"  {'step':<48} {'runs':>13} {'bytes/run':>11} {'ops/run':>17} {'share':>6}"]
        total = max(self.bytes_per_run, 1)
        for row in self.rows:
            if row.kind == "scalar":
                continue
            pad = "  " * row.depth
            moved = row.total_bytes * row.runs
            label = _clip(pad + row.label, 48)
            if row.kind == "loop" and not moved:
                lines.append(f"  {label}")
                continue
            lines.append(f"  {label:<48} {row.runs:>13,} {_size(moved):>11} "
                         f"{row.ops * row.runs:>17,} {100 * moved / total:>5.1f}%")
        kinds = ", ".join(f"{k} {_size(v)}" for k, v in self.bytes_by_kind.items() if v)
        lines += [
            f"  setup:          {_size(self.setup_bytes):>11} {self.setup_ops:>13,} ops",
            f"  per iteration:  {_size(self.bytes_per_iteration):>11} "
            f"{self.ops_per_iteration:>13,} ops",
            f"  per run:        {_size(self.bytes_per_run):>11} {self.ops_per_run:>13,} ops"
            f"  -> {_seconds(self.seconds)} at {self.bandwidth_gbs:g} GB/s",
            f"  bytes by kind:  {kinds or 'none'}",
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB", "EB"):
        if abs(n) < 1000 or unit == "EB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError


def _seconds(s: float) -> str:
    if s >= 1:
        return f"{s:.3g} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} us"


def estimate_performance(plan, graph=None, *, num_nodes: int | None = None,
                         num_edges: int | None = None, bandwidth_gbs: float = 40.0,
                         iterations: int | Mapping[int, int] | None = None,
                         directed: bool | None = None) -> PerformanceEstimate:
    """Estimate the bytes moved, operations and time of one run of ``plan``.

    Parameters
    ----------
    plan : ExecutionPlan or Algorithm
        The plan (an algorithm's plan for the graph's index dtype is used).
    graph : Graph, scipy sparse matrix or networkx graph, optional
        Supplies the node and arc counts and whether the graph is directed.
    num_nodes, num_edges : int, optional
        Node and arc counts (override the graph's); needed without a graph.
    bandwidth_gbs : float
        Sustained memory bandwidth in GB/s.
    iterations : int or mapping, optional
        Iterations of every loop, or ``{loop index: iterations}``; otherwise
        each loop's bound with parameter defaults (an upper bound for
        convergence loops).
    directed : bool, optional
        Without a graph, whether ``over="both"`` pulls read both edge lists
        (default True, the larger estimate).

    Returns
    -------
    PerformanceEstimate
        Per-iteration and per-run bytes and operations, predicted seconds and
        a per-step table (``print(estimate)``).
    """
    if graph is not None:
        graph = as_graph(graph)
        num_nodes = graph.num_nodes if num_nodes is None else num_nodes
        num_edges = graph.num_edges if num_edges is None else num_edges
        directed = graph.directed if directed is None else directed
    if num_nodes is None or num_edges is None:
        raise ValueError("estimate_performance needs a graph, or num_nodes and num_edges")
    if num_nodes < 0 or num_edges < 0:
        raise ValueError(f"num_nodes and num_edges must be >= 0, got {num_nodes}, {num_edges}")
    if not bandwidth_gbs > 0:
        raise ValueError(f"bandwidth_gbs must be positive, got {bandwidth_gbs!r}")
    if not isinstance(plan, ExecutionPlan):
        if not hasattr(plan, "plan_for"):
            raise TypeError(f"estimate_performance needs a plan or an algorithm, got "
                            f"{type(plan).__name__}")
        plan = plan.plan_for(str(graph.index_dtype) if graph is not None else "int32")
    model = _Model(plan, int(num_nodes), int(num_edges), True if directed is None else directed,
                   iterations)
    return model.estimate(float(bandwidth_gbs))


class _Model:
    def __init__(self, plan: ExecutionPlan, n: int, m: int, directed: bool, iterations):
        self.plan = plan
        self.ir: IRGraph = plan.ir
        self.n, self.m, self.directed = n, m, directed
        # what evaluating a scalar leaf reads: the graph's size, parameter defaults
        self.g = SimpleNamespace(num_edges=m, directed=directed)
        self.params = {p.name: p.default for p in plan.params if p.default is not None}
        self.members: set[str] = set()            # of the group being costed
        self.streamed: dict[str, tuple[str, int]] = {}
        self.isz = np.dtype(plan.index_dtype).itemsize
        self.arrays = set(plan.slot_of)
        self.given = iterations
        self.rows: list[StepEstimate] = []
        self.iterations: dict[int, int] = {}
        self.notes: dict[int, str] = {}

    # --- sizes ------------------------------------------------------------------------------
    def size(self, value: str) -> int:
        """Bytes of one full array of ``value`` (a node or edge map)."""
        node = self.ir.node_map[value]
        count = self.m if node.type.kind is Kind.EDGE else self.n
        return node.type.dtype.numpy.itemsize * count

    def directions(self, over: str) -> tuple[str, ...]:
        if over == "both":
            return ("in", "out") if self.directed else ("in",)
        return (over,)

    def edge_array(self, direction: str, what: str) -> str:
        """Undirected graphs share one CSR: name both directions alike."""
        return f"{direction if self.directed else 'in'}_{what}"

    # --- the walk --------------------------------------------------------------------------------
    def estimate(self, bandwidth_gbs: float) -> PerformanceEstimate:
        bounds = StepEstimate("chunk bounds (scan in_indptr)", 0, 1, kind="setup")
        bounds.bytes["index"] = self.isz * (self.n + 1)
        bounds.ops = self.n
        self.rows.append(bounds)
        self.walk(self.plan.steps, depth=0, runs=1, per_iteration=0)
        per_run, per_iter = Counter(), Counter()
        ops_run = ops_iter = setup_ops = 0
        setup_bytes = 0
        for row in self.rows:
            for kind, b in row.bytes.items():
                per_run[kind] += b * row.runs
                per_iter[kind] += b * row.per_iteration
            ops_run += row.ops * row.runs
            ops_iter += row.ops * row.per_iteration
            if row.depth == 0:
                setup_bytes += row.total_bytes
                setup_ops += row.ops
        bytes_run = sum(per_run.values())
        return PerformanceEstimate(
            name=self.plan.name, num_nodes=self.n, num_edges=self.m, directed=self.directed,
            index_dtype=self.plan.index_dtype, bandwidth_gbs=bandwidth_gbs,
            iterations=dict(self.iterations), iteration_notes=dict(self.notes), rows=self.rows,
            setup_bytes=setup_bytes, setup_ops=setup_ops,
            bytes_per_iteration=sum(per_iter.values()), ops_per_iteration=ops_iter,
            bytes_per_run=bytes_run, ops_per_run=ops_run,
            bytes_by_kind={k: per_run[k] for k in BYTE_KINDS},
            iteration_bytes_by_kind={k: per_iter[k] for k in BYTE_KINDS},
            seconds=bytes_run / (bandwidth_gbs * 1e9))

    def walk(self, steps, depth: int, runs: int, per_iteration: int) -> None:
        for step in steps:
            if isinstance(step, LoopStep):
                self.loop(step, depth, runs, per_iteration)
            elif isinstance(step, GroupStep):
                self.rows.append(self.group(step, depth, runs, per_iteration))
            elif isinstance(step, OwnPassStep):
                node = self.ir.node_map[step.node]
                parallel = op_def(node.op).own_pass == "parallel"
                row = StepEstimate(f"{'pass' if parallel else 'serial'} "
                                   f"[{self.plan.names[node.id]}:{node.op}]", depth, runs,
                                   per_iteration=per_iteration,
                                   kind="group" if parallel else "serial")
                op_def(node.op).cost(self, node, row)
                self.rows.append(row)
            elif isinstance(step, ScalarStep):
                node = self.ir.node_map[step.node]
                ops = 0 if op_def(node.op).leaf else 1
                self.rows.append(StepEstimate(f"scalar {self.plan.names[node.id]}", depth, runs,
                                              ops=ops, per_iteration=per_iteration,
                                              kind="scalar"))

    def loop(self, step: LoopStep, depth: int, runs: int, per_iteration: int) -> None:
        count, note = self.loop_iterations(step)
        self.iterations[step.index] = count
        self.notes[step.index] = note
        loop = self.ir.node_map[step.loop]
        row = StepEstimate(f"loop #{step.index} {loop.attr('kind')}: {count:,} iteration(s), "
                           f"{note}", depth, runs, per_iteration=per_iteration, kind="loop")
        for copy in self.plan.copies(step):
            row.bytes["copy"] += self.size(copy.init) + self.size(copy.carry)
            row.ops += self.n
        self.rows.append(row)
        inner = 1 if depth == 0 else per_iteration * count
        self.walk(step.body, depth + 1, runs * count, inner)

    def loop_iterations(self, step: LoopStep) -> tuple[int, str]:
        given = self.given
        if isinstance(given, Mapping) and step.index in given:
            return _count(given[step.index]), "given"
        if given is not None and not isinstance(given, Mapping):
            return _count(given), "given"
        loop = self.ir.node_map[step.loop]
        bound_id = loop.inputs[0]
        value = self.scalar_value(bound_id)
        if value is None:
            return 1, "bound unknown, 1 assumed"
        bound = self.ir.node_map[bound_id]
        what = {"const": "fixed count", "param": f"{bound.attr('name')} default",
                "num_nodes": "n"}.get(bound.op, "computed bound")
        upper = "" if loop.attr("kind") == "fixed" else " (upper bound)"
        return max(int(value), 0), f"{what}{upper}"

    def scalar_value(self, value: str):
        """A scalar's value from constants, parameter defaults and the graph size, if known;
        also a reduction of a node map built from those (``each(subset)``'s count of
        members), evaluated over n nodes."""
        node = self.ir.node_map[value]
        definition = op_def(node.op)
        node_map = node.type.kind is Kind.NODE
        if not (definition.leaf or definition.elementwise or definition.category == "reduce"
                or (node_map and definition.category == "graph")):
            return None
        values = [self.scalar_value(i) for i in node.inputs]
        if any(v is None for v in values):
            return None
        try:
            out = definition.evaluate(self, node, values, [self.ir.node_map[i].type
                                                           for i in node.inputs])
        except (ValueError, TypeError, OverflowError, KeyError, AttributeError):
            return None                  # e.g. degrees: the model has no adjacency
        if node_map:                     # a node parameter's default is one value for all
            return np.broadcast_to(out, (self.n,))
        out = out.item() if hasattr(out, "item") else out
        return out if np.isfinite(out) else None

    def group(self, step: GroupStep, depth: int, runs: int, per_iteration: int) -> StepEstimate:
        names, ir = self.plan.names, self.ir
        self.members = set(step.members)
        row = StepEstimate("parallel [" + " ".join(f"{names[m]}:{ir.node_map[m].op}"
                                                   for m in step.members) + "]",
                           depth, runs, per_iteration=per_iteration)
        self.streamed = {}
        for m in step.members:
            node = ir.node_map[m]
            op_def(node.op).cost(self, node, row)
            if m in self.arrays:
                row.bytes["write"] += self.size(m)
        for carry, nxt in step.assigns:
            if nxt not in self.members:
                self.read_value(nxt)
            row.bytes["write"] += self.size(carry)
        for kind, nbytes in self.streamed.values():
            row.bytes[kind] += nbytes
        return row

    # --- what op costs use --------------------------------------------------------------------
    def read(self, key: str, kind: str, nbytes: int) -> None:
        """An array the current loop streams: counted once however many members read it."""
        self.streamed.setdefault(key, (kind, nbytes))

    def read_value(self, value: str) -> None:
        target = storage_of(self.ir, value, self.arrays)
        if target is not None:
            self.read(target, "read", self.size(target))


def _count(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"iterations must be a non-negative integer, got {value!r}")
    return int(value)
