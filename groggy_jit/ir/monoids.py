"""Reductions as objects: each carries its identity, result dtype, numpy meaning and code.

Scalar reductions (``x.reduce("sum")``) and neighbour pulls (``pull(x, reduce="min")``)
share the monoids, so the interpreter, constant folding and codegen agree on what an
empty reduction returns.  ``mode``, ``argmin`` and ``argmax`` need more than a running
accumulator: they are ``NeighbourReduction`` objects, which only pulls know.  Both
kinds answer the same questions for a pull (``pull_result``, ``pull_numpy``,
``lower_pull``, ``weights_add``, ``weighted``, ``numbers_only``, ``scratch``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import KindError
from . import lowering, semantics
from .types import DType

_I64 = np.iinfo(np.int64)


def _always(d: DType) -> bool:
    return True


def _never(d: DType) -> bool:
    return False


def _integers(d: DType) -> bool:
    return d is not DType.F64


@dataclass(frozen=True)
class Reduction:
    name: str
    result: Callable[[DType], DType]
    identity: Callable[[DType], object]       # value of an empty reduction
    numpy: Callable[[np.ndarray], object]     # reference meaning over a non-empty array
    update: str                               # how codegen folds x into acc: "{acc} = ..."
    first: str                                # acc from its first value x, without reading acc
    needs_count: bool = False                 # mean: divide the sum by the element count
    combine: str = ""                         # how chunk partials fold; defaults to update
    weights_add: bool = False                 # weighted pulls add the weight: (min, +)
    # the same for every monoid (class constants, not fields)
    weighted = True                           # a pull may combine it with edge weights
    numbers_only = False                      # refuses bool values
    scratch = False                           # a pull needs a scratch array (see mode)
    # the same bits whatever order the values come in (a push may offer them in any order)
    order_free: Callable[[DType], bool] = _never
    # the same bits when each target gets its values in ascending source order, the order a
    # pull reads a node's sorted in-arcs (a push from a sorted frontier list offers them so)
    source_ordered: Callable[[DType], bool] = _never
    idempotent: bool = False                  # folding a value twice is folding it once
    ufunc: np.ufunc | None = None             # numpy's fold of one value (scatter's meaning)

    def pull_numpy(self, x, target, source, gathered, dtype: DType):
        """A pull's reference meaning: reduce each node's arc values."""
        return semantics.reduce_rows(gathered, target, self, len(x), dtype)

    def lower_pull(self, e, node) -> None:
        lowering.accumulate_pull(e, node, self)

    def pull_result(self, dtype: DType) -> DType:
        return self.result(dtype)

    def combine_statement(self, acc: str, x: str) -> str:
        return (self.combine or self.update).format(acc=acc, x=x)

    def update_statement(self, acc: str, x: str) -> str:
        return self.update.format(acc=acc, x=x)

    def first_statement(self, acc: str, x: str) -> str:
        """``acc`` set from its first value ``x``: the same bits as folding ``x`` into an
        empty accumulator (``+ 0`` turns a sum's -0.0 into 0.0, as ``0.0 + x`` does)."""
        return self.first.format(acc=acc, x=x)


def _same(d: DType) -> DType:
    return d


def _sum_type(d: DType) -> DType:
    return DType.I64 if d is DType.BOOL else d


def _min_identity(d: DType):
    return {DType.F64: np.inf, DType.I64: int(_I64.max), DType.BOOL: True}[d]


def _max_identity(d: DType):
    return {DType.F64: -np.inf, DType.I64: int(_I64.min), DType.BOOL: False}[d]


REDUCTIONS: dict[str, Reduction] = {r.name: r for r in [
    Reduction("sum", _sum_type, lambda d: 0.0 if d is DType.F64 else 0,
              lambda a: a.sum(), "{acc} += {x}", "{acc} = {x} + 0", order_free=_integers,
              source_ordered=_always, ufunc=np.add),
    Reduction("min", _same, _min_identity, lambda a: a.min(), "{acc} = np.minimum({acc}, {x})",
              "{acc} = {x}", weights_add=True, order_free=_always, idempotent=True,
              ufunc=np.minimum),
    Reduction("max", _same, _max_identity, lambda a: a.max(), "{acc} = np.maximum({acc}, {x})",
              "{acc} = {x}", weights_add=True, order_free=_always, idempotent=True,
              ufunc=np.maximum),
    Reduction("any", lambda d: DType.BOOL, lambda d: False, lambda a: bool(a.any()),
              "{acc} = {acc} or ({x} != 0)", "{acc} = {x} != 0", order_free=_always,
              idempotent=True),
    Reduction("all", lambda d: DType.BOOL, lambda d: True, lambda a: bool(a.all()),
              "{acc} = {acc} and ({x} != 0)", "{acc} = {x} != 0", order_free=_always,
              idempotent=True),
    Reduction("count", lambda d: DType.I64, lambda d: 0, lambda a: int(np.count_nonzero(a)),
              "{acc} += 1 if {x} != 0 else 0", "{acc} = 1 if {x} != 0 else 0",
              combine="{acc} += {x}", order_free=_always),
    Reduction("mean", lambda d: DType.F64, lambda d: np.nan, lambda a: a.mean(),
              "{acc} += {x}", "{acc} = {x} + 0", needs_count=True),
]}



@dataclass(frozen=True)
class NeighbourReduction:
    """A reduction only neighbour pulls know: it needs more than a running accumulator.

    ``numpy`` is its meaning over one pull's arcs, ``lower`` its code; ``better``
    and ``start`` drive the best-neighbour search of argmin and argmax.
    """
    name: str
    pull_result: Callable[[DType], DType]
    numpy: Callable                          # (x, target, source, gathered) -> node array
    lower: Callable                          # (emitter, node, reduction) -> None
    weights_add: bool = False                # weighted pulls add the weight
    weighted: bool = True                    # accepts weights at all
    numbers_only: bool = False               # refuses bool values
    scratch: bool = False                    # needs a scratch window of the gathered values
    better: str = ""
    start: Callable[[DType], object] | None = None
    order_free: Callable[[DType], bool] = _never   # see Reduction.order_free
    source_ordered: Callable[[DType], bool] = _never

    def identity(self, dtype: DType):
        """The result without neighbours (argmin / argmax: -1)."""
        return -1

    def pull_numpy(self, x, target, source, gathered, dtype: DType):
        return self.numpy(x, target, source, gathered)

    def lower_pull(self, e, node) -> None:
        self.lower(e, node, self)


def _best(largest: bool):
    def numpy(x, target, source, gathered):
        return semantics.best_neighbour(len(x), target, source, gathered, largest)
    return numpy


def _i64(d: DType) -> DType:
    return DType.I64


# mode: the most frequent value (ties to the smallest), the node's own without neighbours;
# argmin / argmax: the neighbour with the smallest / largest value (ties to the smallest
# id, NaN never chosen), -1 without neighbours.
NEIGHBOUR_REDUCTIONS: dict[str, NeighbourReduction] = {r.name: r for r in [
    NeighbourReduction("mode", _same, lambda x, target, source, gathered:
                       semantics.most_frequent(x, target, gathered),
                       lowering.mode_pull, weighted=False, scratch=True),
    NeighbourReduction("argmin", _i64, _best(False), lowering.best_neighbour_pull,
                       weights_add=True, numbers_only=True, better="<", start=_min_identity,
                       order_free=_always),
    NeighbourReduction("argmax", _i64, _best(True), lowering.best_neighbour_pull,
                       weights_add=True, numbers_only=True, better=">", start=_max_identity,
                       order_free=_always),
]}


def reduction(name: str) -> Reduction:
    try:
        return REDUCTIONS[name]
    except KeyError:
        raise KindError(f"unknown reduction {name!r}; choose one of "
                        f"{', '.join(sorted(REDUCTIONS))}") from None


def pull_reduction(name: str) -> Reduction | NeighbourReduction:
    """The reduction a neighbour pull names: a monoid or a neighbour-only reduction."""
    found = REDUCTIONS.get(name) or NEIGHBOUR_REDUCTIONS.get(name)
    if found is None:
        raise KindError(f"unknown reduction {name!r}; choose one of "
                        f"{', '.join(sorted([*REDUCTIONS, *NEIGHBOUR_REDUCTIONS]))}")
    return found
