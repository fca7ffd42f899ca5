"""The reference interpreter: the language's meaning in plain numpy, no Numba.

It walks the IR's schedule and evaluates each node with its op's numpy meaning
(``OpDef.evaluate``); loops run in Python.  Kernels are tested against it, so
it favours being obviously right over being fast.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..ir.graph import IRGraph, Loop
from ..ir.ops import CARRY, RESULT, op_def
from .result import LoopReport


class Interpreter:
    def __init__(self, ir: IRGraph, graph, params: dict,
                 between_rounds: Callable[[], None] | None = None):
        self.ir = ir
        self.between_rounds = between_rounds      # may raise to abandon the run
        self.g = graph
        self.params = params
        self.env: dict[str, object] = {}
        loops = ir.loops()                                  # reported in creation order
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
        if op_def(node.op).storage == RESULT:
            return self.env[(node.inputs[0], node.attr("index"))]
        return self.env[nid]

    def block(self, items) -> None:
        for item in items:
            if isinstance(item, Loop):
                self.loop(item)
            elif op_def(item.op).storage not in (CARRY, RESULT):    # set by their loop
                self.env[item.id] = self.evaluate(item)

    def evaluate(self, node):
        inputs = [self.value(i) for i in node.inputs]
        types = [self.ir.node_map[i].type for i in node.inputs]
        return op_def(node.op).evaluate(self, node, inputs, types)

    # --- loops -----------------------------------------------------------------------
    def loop(self, item: Loop) -> None:
        node = item.node
        carries = self.ir.carries(node.id)
        for carry, _ in carries:
            value = self.value(carry.inputs[0])
            self.env[carry.id] = value.copy() if isinstance(value, np.ndarray) else value
        max_iter = int(self.value(node.inputs[0]))
        stop, test = node.attr("stop"), node.attr("residual")
        iterations, converged, residual = 0, False, None
        while iterations < max_iter:
            self.block(item.body)
            if test is not None:
                residual = float(self.value(test))
            new = [self.value(nxt.id) for _, nxt in carries]
            for (carry, _), value in zip(carries, new):
                self.env[carry.id] = value
            iterations += 1
            if stop is not None and bool(self.value(stop)):
                converged = True
                break
            if self.between_rounds is not None:
                self.between_rounds()
        for carry, _ in carries:
            self.env[(node.id, carry.attr("index"))] = self.env[carry.id]
        self.loops[self.loop_index[node.id]] = LoopReport(
            iterations, converged if stop is not None else None, residual)


def interpret(ir: IRGraph, graph, params: dict, between_rounds: Callable[[], None] | None = None):
    """Run ``ir`` on ``graph`` with bound ``params``; returns (outputs, loop reports).

    ``between_rounds`` is called after every loop round but the last; what it raises
    ends the run (the tiers use this to switch to a kernel that has just compiled).
    """
    return Interpreter(ir, graph, params, between_rounds).run()
