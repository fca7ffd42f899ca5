"""Reductions as objects: each carries its identity, result dtype and numpy meaning.

Scalar reductions (``x.reduce("sum")``) and neighbour pulls (``pull(x, reduce="min")``)
share these definitions, so the interpreter, constant folding and codegen agree on
what an empty reduction returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import KindError
from .types import DType

_I64 = np.iinfo(np.int64)


@dataclass(frozen=True)
class Reduction:
    name: str
    result: Callable[[DType], DType]
    identity: Callable[[DType], object]       # value of an empty reduction
    numpy: Callable[[np.ndarray], object]     # reference meaning over a non-empty array
    update: str                               # how codegen folds x into acc: "{acc} = ..."
    needs_count: bool = False                 # mean: divide the sum by the element count
    combine: str = ""                         # how chunk partials fold; defaults to update

    def combine_statement(self, acc: str, x: str) -> str:
        return (self.combine or self.update).format(acc=acc, x=x)

    def update_statement(self, acc: str, x: str) -> str:
        return self.update.format(acc=acc, x=x)


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
              lambda a: a.sum(), "{acc} += {x}"),
    Reduction("min", _same, _min_identity, lambda a: a.min(), "{acc} = np.minimum({acc}, {x})"),
    Reduction("max", _same, _max_identity, lambda a: a.max(), "{acc} = np.maximum({acc}, {x})"),
    Reduction("any", lambda d: DType.BOOL, lambda d: False, lambda a: bool(a.any()),
              "{acc} = {acc} or ({x} != 0)"),
    Reduction("all", lambda d: DType.BOOL, lambda d: True, lambda a: bool(a.all()),
              "{acc} = {acc} and ({x} != 0)"),
    Reduction("count", lambda d: DType.I64, lambda d: 0, lambda a: int(np.count_nonzero(a)),
              "{acc} += 1 if {x} != 0 else 0", combine="{acc} += {x}"),
    Reduction("mean", lambda d: DType.F64, lambda d: np.nan, lambda a: a.mean(),
              "{acc} += {x}", needs_count=True),
]}

# Neighbour pulls also know these, which need more than a running accumulator.
# mode: the most frequent value (ties to the smallest), the node's own without neighbours;
# argmin: the neighbour with the smallest value (ties to the smallest id, NaN never
# chosen), -1 without neighbours.
PULL_ONLY = ("mode", "argmin")


def reduction(name: str) -> Reduction:
    try:
        return REDUCTIONS[name]
    except KeyError:
        raise KindError(f"unknown reduction {name!r}; choose one of "
                        f"{', '.join(sorted(REDUCTIONS))}") from None
