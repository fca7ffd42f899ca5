"""Parameter domains: the values a parameter may take, checked before any kernel runs.

An algorithm declares a domain as the annotation of a parameter
(``def pagerank(sG, damping: Probability = 0.85)``); the binder rejects a value
outside it with a message naming the value and what to pass instead. A value a
kernel would turn into a silently wrong answer (``delta <= 0`` makes every
distance ``inf``) is refused here instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .types import DType

__all__ = ["Domain", "DOMAINS", "Probability", "Positive", "NonNegative", "PositiveInt",
           "NonNegativeInt", "NodeWeights", "NodeSubset"]


@dataclass(frozen=True)
class Domain:
    """A named set of allowed values.

    ``each`` tests every value (one, or one per node) and ``want`` says in words
    what it accepts; ``whole``, for per-node values, tests them together.
    """
    name: str
    dtype: DType | None                    # None: the default's type
    want: str
    each: Callable[[np.ndarray], np.ndarray]
    per_node: bool = False
    whole: Callable[[np.ndarray], bool] | None = None
    whole_want: str = ""

    def problem(self, values) -> str | None:
        """Why ``values`` (a scalar or a per-node array) is outside the domain, or None."""
        if isinstance(values, (bool, int, float)) and self.whole is None:
            # the common case, on every call: plain Python, no array round trip
            return None if self.each(values) else f"got {values!r}; it must be {self.want}"
        array = np.asarray(values)
        with np.errstate(invalid="ignore"):
            ok = np.asarray(self.each(array), dtype=bool)
        if not ok.all():
            bad = np.flatnonzero(~ok.ravel())
            first = array.ravel()[bad[0]].item()
            more = f", and {len(bad) - 1} more" if len(bad) > 1 else ""
            where = f" (node {int(bad[0])}{more})" if array.ndim else ""
            return f"got {first!r}{where}; it must be {self.want}"
        if self.whole is not None and not self.whole(array):
            return (f"got {np.count_nonzero(array)} non-zero value(s) among {array.size}; "
                    f"they must be {self.whole_want}")
        return None

    def __repr__(self) -> str:
        return f"<domain {self.name}: {self.want}>"


def _between(low: float, high: float):
    return lambda x: (x >= low) & (x <= high)


Probability = Domain("Probability", DType.F64, "a probability between 0 and 1",
                     _between(0.0, 1.0))
Positive = Domain("Positive", DType.F64, "a number greater than 0 (not NaN)", lambda x: x > 0)
NonNegative = Domain("NonNegative", DType.F64, "a number of at least 0 (not NaN)",
                     lambda x: x >= 0)
PositiveInt = Domain("PositiveInt", DType.I64, "a whole number of at least 1", lambda x: x >= 1)
NonNegativeInt = Domain("NonNegativeInt", DType.I64, "a whole number of at least 0",
                        lambda x: x >= 0)
NodeWeights = Domain("NodeWeights", DType.F64, "finite and at least 0",
                     lambda x: np.isfinite(x) & (x >= 0), per_node=True,
                     whole=lambda x: bool(np.any(x > 0)) or x.size == 0,
                     whole_want="positive for at least one node")
NodeSubset = Domain("NodeSubset", DType.BOOL, "True or False", lambda x: np.ones(x.shape, bool),
                    per_node=True, whole=lambda x: bool(np.any(x)) or x.size == 0,
                    whole_want="True for at least one node (a non-empty set)")

DOMAINS = {d.name: d for d in (Probability, Positive, NonNegative, PositiveInt, NonNegativeInt,
                               NodeWeights, NodeSubset)}
