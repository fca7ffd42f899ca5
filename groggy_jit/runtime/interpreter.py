"""The reference interpreter: the language's meaning in plain numpy, no Numba.

It walks the IR's schedule and evaluates each node with numpy; loops run in
Python.  Kernels are tested against it, so it favours being obviously right
over being fast.
"""

from __future__ import annotations

import numpy as np

from ..ir.graph import IRGraph, Loop
from ..ir.monoids import reduction
from ..ir.ops import MISSING, op_def, pull_operands
from ..ir.types import DType
from .result import LoopReport
from ..ir.semantics import apply_elementwise, cast


class Interpreter:
    def __init__(self, ir: IRGraph, graph, params: dict):
        self.ir = ir
        self.g = graph
        self.params = params
        self.env: dict[str, object] = {}
        loops = [n for n in ir.nodes if n.op == "loop"]          # reported in creation order
        self.loop_index = {n.id: k for k, n in enumerate(loops)}
        self.loops = [LoopReport(0, None if n.attr("kind") == "fixed" else False) for n in loops]
        self.n = graph.num_nodes

    def run(self) -> tuple[dict[str, object], list[LoopReport]]:
        with np.errstate(all="ignore"):
            self.block(self.ir.schedule())
        values = {name: self.value(nid) for name, nid in self.ir.outputs}
        return values, self.loops

    def value(self, nid: str):
        node = self.ir.node_map[nid]
        if node.op == "loop_result":
            return self.env[(node.inputs[0], node.attr("index"))]
        return self.env[nid]

    def block(self, items) -> None:
        for item in items:
            if isinstance(item, Loop):
                self.loop(item)
            elif item.op not in ("carry", "loop_result"):
                self.env[item.id] = self.evaluate(item)

    def evaluate(self, node):
        a = node.attr_dict
        inputs = [self.value(i) for i in node.inputs]
        t = node.type.dtype.numpy
        match node.op:
            case "const":
                return t.type(a["value"])
            case "param":
                return t.type(self.params[a["name"]])
            case "node_param":
                return np.asarray(self.params[a["name"]], dtype=t)
            case "num_nodes":
                return np.int64(self.n)
            case "num_edges":
                return np.int64(self.g.num_edges)
            case "is_directed":
                return np.bool_(self.g.directed)
            case "node_index":
                return np.arange(self.n, dtype=np.int64)
            case "degree":
                return self.degree(a["over"])
            case "fill":
                return np.full(self.n, inputs[0], dtype=t)
            case "pull":
                return self.pull(inputs, node)
            case "reduce":
                return self.reduce(inputs[0], a["reduce"], node)
            case "src":
                return inputs[0][np.asarray(self.g.in_indices, dtype=np.int64)]
            case "dst":
                return inputs[0][self.arc_targets()]
            case "edge_weight":
                w = self.g.in_weights
                return np.ones(self.g.num_edges) if w is None else np.asarray(w, dtype=np.float64)
            case "common_neighbors":
                return self.common_neighbors()
            case "pull_edges":
                return self.reduce_rows(inputs[0], self.arc_targets(), node.attr("reduce"), node)
            case "gather":
                x, index = inputs
                valid = (index >= 0) & (index < self.n)
                out = np.full(self.n, MISSING[node.type.dtype], dtype=t)
                out[valid] = x[index[valid]]
                return out
            case "scatter_min":
                x, index, values = inputs
                out = x.copy()
                values = np.broadcast_to(np.asarray(values, dtype=t), (self.n,))
                valid = (index >= 0) & (index < self.n)
                np.minimum.at(out, index[valid], values[valid])
                return out
        assert op_def(node.op).category == "elementwise", node.op
        types = [self.ir.node_map[i].type for i in node.inputs]
        return apply_elementwise(node, inputs, types)

    # --- graph ops ----------------------------------------------------------------
    def degree(self, over: str) -> np.ndarray:
        d_in = np.diff(self.g.in_indptr).astype(np.int64)
        d_out = np.diff(self.g.out_indptr).astype(np.int64)
        if over == "in":
            return d_in
        if over == "out":
            return d_out
        return d_in + d_out if self.g.directed else d_in

    def arcs(self, over: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(target, source, weight) of every arc a pull over ``over`` reads."""
        lists = {"in": (self.g.in_indptr, self.g.in_indices, self.g.in_weights),
                 "out": (self.g.out_indptr, self.g.out_indices, self.g.out_weights)}
        if over == "both":
            directions = ["in", "out"] if self.g.directed else ["in"]
        else:
            directions = [over]
        targets, sources, weights = [], [], []
        for d in directions:
            indptr, indices, w = lists[d]
            targets.append(np.repeat(np.arange(self.n), np.diff(indptr)))
            sources.append(np.asarray(indices, dtype=np.int64))
            weights.append(np.ones(len(indices)) if w is None else np.asarray(w))
        return np.concatenate(targets), np.concatenate(sources), np.concatenate(weights)

    def arc_targets(self) -> np.ndarray:
        return np.repeat(np.arange(self.n), np.diff(self.g.in_indptr))

    def common_neighbors(self) -> np.ndarray:
        out_lists = [set(self.g.out_indices[self.g.out_indptr[v]:self.g.out_indptr[v + 1]].tolist())
                     for v in range(self.n)]
        sources = np.asarray(self.g.in_indices, dtype=np.int64)
        return np.array([len((out_lists[u] & out_lists[v]) - {u, v})
                         for u, v in zip(sources.tolist(), self.arc_targets().tolist())],
                        dtype=np.int64)

    def reduce_rows(self, gathered, target, how, node) -> np.ndarray:
        """Reduce arc values onto their target nodes (identity where a node has none)."""
        red = reduction(how)
        out = np.empty(self.n, dtype=node.type.dtype.numpy)
        order = np.argsort(target, kind="stable")
        target, gathered = target[order], gathered[order]
        bounds = np.searchsorted(target, np.arange(self.n + 1))
        for v in range(self.n):
            seg = gathered[bounds[v]:bounds[v + 1]]
            if len(seg) == 0:
                out[v] = red.identity(_dtype_of(gathered))
            else:
                out[v] = red.numpy(seg.astype(np.int64) if how == "sum" and seg.dtype == bool else seg)
        return out

    def pull(self, inputs, node) -> np.ndarray:
        x, mask, at = pull_operands(inputs, node.attr_dict)
        target, source, weight = self.arcs(node.attr("over"))
        keep = np.ones(len(target), dtype=bool)
        if mask is not None:                              # only active sources
            keep &= mask[source]
        if at is not None:                                # only the chosen targets
            keep &= at[target]
        target, source, weight = target[keep], source[keep], weight[keep]
        gathered = x[source]
        if node.attr("weight"):
            gathered = gathered * weight if node.attr("combine") == "mul" else gathered + weight
        how = node.attr("reduce")
        if how == "mode":
            return self.mode(x, target, gathered)
        if how == "argmin":
            return self.argmin(target, source, gathered)
        return self.reduce_rows(gathered, target, how, node)

    def argmin(self, target, source, gathered) -> np.ndarray:
        """Per target, the source of its smallest value; ties to the smallest source."""
        out = np.full(self.n, -1, dtype=np.int64)
        keep = ~np.isnan(gathered) if gathered.dtype == np.float64 else slice(None)
        target, source, gathered = target[keep], source[keep], gathered[keep]
        order = np.lexsort((source, gathered, target))      # by target, value, source
        target, source = target[order], source[order]
        first = np.ones(len(target), dtype=bool)
        first[1:] = target[1:] != target[:-1]
        out[target[first]] = source[first]
        return out

    def mode(self, x, target, gathered) -> np.ndarray:
        if x.dtype == np.float64:                     # -0.0 counts as 0.0
            x, gathered = x + 0.0, gathered + 0.0
        out = x.copy()
        order = np.argsort(target, kind="stable")
        target, gathered = target[order], gathered[order]
        bounds = np.searchsorted(target, np.arange(self.n + 1))
        for v in range(self.n):
            seg = gathered[bounds[v]:bounds[v + 1]]
            if len(seg):
                values, counts = np.unique(seg, return_counts=True)
                out[v] = values[np.argmax(counts)]       # unique sorts: ties go to the smallest
        return out

    def reduce(self, x: np.ndarray, how: str, node):
        red = reduction(how)
        if len(x) == 0:
            return node.type.dtype.numpy.type(red.identity(_dtype_of(x)))
        seq = x.astype(np.int64) if how == "sum" and x.dtype == bool else x
        return cast(red.numpy(seq), node.type.dtype.numpy)

    # --- loops -----------------------------------------------------------------------
    def loop(self, item: Loop) -> None:
        node = item.node
        carries = self.ir.carries(node.id)
        for carry, _ in carries:
            value = self.value(carry.inputs[0])
            self.env[carry.id] = value.copy() if isinstance(value, np.ndarray) else value
        max_iter = int(self.value(node.inputs[0]))
        stop = node.attr("stop")
        iterations, converged = 0, False
        while iterations < max_iter:
            self.block(item.body)
            new = [self.value(nxt.id) for _, nxt in carries]
            for (carry, _), value in zip(carries, new):
                self.env[carry.id] = value
            iterations += 1
            if stop is not None and bool(self.value(stop)):
                converged = True
                break
        for carry, _ in carries:
            self.env[(node.id, carry.attr("index"))] = self.env[carry.id]
        self.loops[self.loop_index[node.id]] = LoopReport(iterations, converged if stop is not None else None)


def _dtype_of(x: np.ndarray) -> DType:
    return {np.dtype(np.bool_): DType.BOOL, np.dtype(np.int64): DType.I64}.get(x.dtype, DType.F64)


def interpret(ir: IRGraph, graph, params: dict):
    """Run ``ir`` on ``graph`` with bound ``params``; returns (outputs, loop reports)."""
    return Interpreter(ir, graph, params).run()

