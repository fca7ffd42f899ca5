"""Loop contexts: ``with sG.iterate(n):``, ``with sG.until_converged(x, tol):`` and
``with sG.each(subset) as node:``.

Carried values are found two ways that must agree: explicitly, with
``var(name, value)`` inside the loop, and by snapshotting the caller's local
names when the ``with`` block is entered and left.  A name bound to handle H0
on entry and to a new handle H1 on exit is a carried pair H0 -> H1: inside the
body, H0 reads the value at the start of the iteration; after the loop, H1
reads the final value.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ..errors import TraceError
from ..ir.types import DType, Kind
from .values import Value

if TYPE_CHECKING:
    from .builder import IRBuilder

CONVERGENCE_NORMS = {"l1": "sum", "linf": "max"}


def _value_locals(frame) -> dict[str, Value]:
    return {name: v for name, v in frame.f_locals.items() if isinstance(v, Value)}


class LoopContext:
    """One loop being traced.  Entering opens a region; leaving closes it."""

    def __init__(self, builder: "IRBuilder", kind: str, max_iter, *,
                 watch: Value | None = None, tol=None, norm: str = "l1"):
        self.builder = builder
        self.kind = kind
        self.max_iter = builder.lift(max_iter, "i64")
        self.watch = watch
        self.tol = tol
        self.norm = norm
        self.explicit: dict[str, Value] = {}     # var(name, value) calls inside the body
        self.loop_id: str | None = None
        if kind == "converge" and norm not in CONVERGENCE_NORMS:
            raise TraceError(f"until_converged(norm={norm!r}): use one of "
                             f"{', '.join(CONVERGENCE_NORMS)}")
        if watch is not None and not isinstance(watch, Value):
            raise TraceError(f"{'while_any' if kind == 'while_any' else 'until_converged'}() "
                             "watches a traced value, e.g. until_converged(rank, tol=1e-6)")

    def __enter__(self) -> "LoopContext":
        return self._open(sys._getframe(1))

    def _open(self, caller) -> "LoopContext":
        self.entry = _value_locals(caller)
        self.builder.name_values(self.entry)
        node = self.builder.ir.add("loop", [self.max_iter.node_id], kind=self.kind,
                                   carries=(), stop=None, residual=None,
                                   region=self.builder.region)
        self.loop_id = node.id
        self.outer_region, self.builder.region = self.builder.region, node.id
        self.builder.loops.append(self)
        return self

    def carry(self, name: str, value) -> Value:
        """Declare ``name`` as carried to the next iteration with ``value``."""
        value = self.builder.lift(value)
        if name in self.explicit:
            raise TraceError(f"var({name!r}) is declared twice in one loop")
        handle = Value(self.builder, value.node_id)
        self.explicit[name] = handle
        return handle

    def set(self, init: Value, value) -> Value:
        """Carry explicitly, without names: ``init`` (a value from before the loop) becomes
        ``value`` for the next iteration. Returns the handle that, after the loop, holds
        the final value."""
        if not isinstance(init, Value) or self.builder.ir.node_map[init.node_id].region == self.loop_id:
            raise TraceError("loop.set(init, value): init must be a value from before the loop")
        key = f"_carry{len(self.explicit)}"
        self.entry[key] = init
        return self.carry(key, value)

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.builder.loops.pop()
        try:
            if exc_type is None:
                exit_locals = _value_locals(sys._getframe(1))
                self.builder.name_values(exit_locals)
                self._close(self._carried_pairs(exit_locals))
        finally:
            self.builder.region = self.outer_region
        return False

    # --- finding the carries ------------------------------------------------------
    def _carried_pairs(self, exit_locals: dict[str, Value]) -> list[tuple[str, Value, Value]]:
        pairs: dict[str, tuple[Value, Value]] = {}
        for name, handle in self.explicit.items():
            if name not in self.entry:
                raise TraceError(f"var({name!r}) inside a loop carries {name!r} to the next "
                                 f"iteration, but {name!r} has no value before the loop; "
                                 f"assign it first, e.g. {name} = sG.nodes(0.0)")
            bound = exit_locals.get(name)
            if bound is not None and bound is not handle and bound is not self.entry[name]:
                raise TraceError(f"{name!r} is declared with var() in the loop but then "
                                 "reassigned; assign the result of var() to it last")
            pairs[name] = (self.entry[name], handle)
        for name, handle in exit_locals.items():
            before = self.entry.get(name)
            if name in pairs or before is None or before is handle:
                continue
            if before.node_id == handle.node_id:
                continue
            pairs[name] = (before, handle)
        # Two names may alias one handle: carry it once.
        seen, out, starts = set(), [], {}
        for name, (init, nxt) in pairs.items():
            if id(nxt) in seen:
                continue
            seen.add(id(nxt))
            if init.node_id in starts:
                # the body's reads of that one value cannot be told apart
                other = starts[init.node_id]
                raise TraceError(
                    f"{other!r} and {name!r} are the same value when the loop starts, and the "
                    "loop gives them different values, so it cannot tell which one the body "
                    f"reads; give each its own expression before the loop, e.g. {name} = "
                    f"{other} | False for a mask or {name} = {other} + 0 for numbers")
            starts[init.node_id] = name
            out.append((name, init, nxt))
        return out

    # --- rewriting the body -----------------------------------------------------------
    def _body_ids(self) -> set[str]:
        ir = self.builder.ir
        return {n.id for n in ir.nodes if self.loop_id in ir.region_chain(n.id)[:-1]}

    def _close(self, pairs) -> None:
        ir = self.builder.ir
        body = self._body_ids()
        carry_ids, next_ids, results = [], [], []
        for index, (name, init, nxt) in enumerate(pairs):
            if name.startswith("_carry"):                 # from set(): no Python name
                name = nxt.node.hint or init.node.hint or "carried"
            if init.type != nxt.type:
                raise TraceError(f"{name!r} changes type in the loop: {init.type} before, "
                                 f"{nxt.type} after one iteration; cast with .astype()")
            carry = ir.add("carry", [init.node_id], loop=self.loop_id, index=index,
                           region=self.loop_id, hint=name)
            ir.replace_uses(init.node_id, carry.id, within=body)
            carry_ids.append(carry.id)
            next_ids.append(nxt.node_id if nxt.node_id != init.node_id else carry.id)
            results.append((name, nxt, carry))
        stop, residual = self._stop_condition(pairs, carry_ids, next_ids)
        ir.replace_node(ir.node_map[self.loop_id].with_attrs(carries=tuple(next_ids), stop=stop,
                                                             residual=residual))
        for index, (name, handle, carry) in enumerate(results):
            result = ir.add("loop_result", [self.loop_id], index=index, type=carry.type,
                            region=self.outer_region, hint=name)
            handle.node_id = result.id

    def _stop_condition(self, pairs, carry_ids, next_ids) -> tuple[str | None, str | None]:
        """The loop's stop test and the residual it compares with ``tol`` (node ids)."""
        if self.kind == "fixed":
            return None, None
        b = self.builder
        watched = [i for i, (_, init, _) in enumerate(pairs) if init is self.watch]
        if not watched:
            what = "until_converged()" if self.kind == "converge" else "while_any()"
            raise TraceError(f"{what} watches a value that the loop never reassigns; assign "
                             "the new value to the same name, e.g. rank = sG.var('rank', new_rank)")
        i = watched[0]
        old, new = Value(b, carry_ids[i]), Value(b, next_ids[i])
        if self.kind == "while_any":
            if new.dtype is not DType.BOOL:
                raise TraceError(f"while_any() needs a bool mask, got {new.type}")
            return (~(new if new.kind is Kind.SCALAR else new.reduce("any"))).node_id, None
        change = abs(new - old)
        if old.kind is not Kind.SCALAR:
            change = change.reduce(CONVERGENCE_NORMS[self.norm])
        stop = change < self.tol
        if old.kind is not Kind.SCALAR:
            # An empty node set has nothing left to converge (and no change can be < 0).
            stop = stop | (b.graph_node_count() == 0)
        residual = change if change.dtype is DType.F64 else change.astype("f64")
        return stop.node_id, residual.node_id


class MemberLoop(LoopContext):
    """``with sG.each(subset) as node:`` runs the body once per node of a bool node map,
    in ascending order, with ``node`` that node's index (an i64 scalar).

    A fixed loop of ``count(subset)`` rounds whose round finds the next member with one
    O(n) min-reduction: nodes outside the subset cost nothing, where
    ``iterate(n)`` with the body masked off would cost a whole round each.
    """

    def __init__(self, builder: "IRBuilder", subset: Value):
        if not isinstance(subset, Value) or subset.kind is not Kind.NODE \
                or subset.dtype is not DType.BOOL:
            got = subset.type if isinstance(subset, Value) else repr(subset)
            raise TraceError(f"each() walks the members of a bool node map, got {got}; "
                             "pass a mask such as sG.nodes(True) or a NodeSubset parameter")
        self.subset = subset
        self.index = builder.init_nodes(unique=True)
        self.n = builder.graph_node_count()
        # a node of its own (lift() shares constants): the carry replaces its uses in the body
        self.previous = Value(builder, builder.ir.add("const", value=-1, dtype="i64").id)
        super().__init__(builder, "fixed", subset.astype("i64").reduce("sum"))

    def __enter__(self) -> Value:
        self._open(sys._getframe(1))
        later = self.subset & (self.index > self.previous)
        member = later.where(self.index, self.n).reduce("min")
        self.set(self.previous, member)
        return member
