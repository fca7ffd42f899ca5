"""Value types of the IR: a kind (node map, edge map, pair map, scalar) and a dtype."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from ..errors import KindError


class Kind(enum.Enum):
    NODE = "node"
    EDGE = "edge"
    PAIR = "pair"      # one value per node pair of a pair-list parameter
    SCALAR = "scalar"


class DType(enum.Enum):
    BOOL = "bool"
    I64 = "i64"
    F64 = "f64"

    @property
    def numpy(self) -> np.dtype:
        return np.dtype({"bool": np.bool_, "i64": np.int64, "f64": np.float64}[self.value])

    @property
    def rank(self) -> int:
        return {"bool": 0, "i64": 1, "f64": 2}[self.value]

    @classmethod
    def of_python(cls, value) -> "DType":
        """The dtype a Python or numpy scalar is traced as."""
        if isinstance(value, (bool, np.bool_)):
            return cls.BOOL
        if isinstance(value, (int, np.integer)):
            return cls.I64
        if isinstance(value, (float, np.floating)):
            return cls.F64
        raise KindError(f"cannot use {value!r} of type {type(value).__name__} as a value; "
                        "use a number or a bool")


@dataclass(frozen=True)
class Type:
    kind: Kind
    dtype: DType

    def __str__(self) -> str:
        return f"{self.kind.value}[{self.dtype.value}]"



def promote(*dtypes: DType) -> DType:
    """numpy-style promotion over bool < i64 < f64."""
    return max(dtypes, key=lambda d: d.rank)


def broadcast(*kinds: Kind) -> Kind:
    """The kind of an elementwise result: scalars broadcast, node, edge and pair maps never mix."""
    maps = {k for k in kinds if k is not Kind.SCALAR}
    if maps == {Kind.NODE, Kind.PAIR}:
        raise KindError("cannot combine a node map with a pair map elementwise; "
                        "read node values at the pairs' ends with x[u] (u, v = sG.pair_ends(pairs))")
    if len(maps) > 1:
        raise KindError("cannot combine a node map with an edge map elementwise; "
                        "gather node values onto edges with src()/dst() or reduce edges with pull()")
    return maps.pop() if maps else Kind.SCALAR


# What reading a node outside 0..n-1 gives (``x[index]`` with a bad index).
MISSING = {DType.F64: float("nan"), DType.I64: -1, DType.BOOL: False}
