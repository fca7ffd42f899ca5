"""Binding call keywords to an algorithm's parameters, with clear errors."""

from __future__ import annotations

import difflib

import numpy as np

from ..errors import ParameterError
from ..ir.graph import Param
from ..ir.types import DType


def _coerce(param: Param, value):
    name = param.name
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if param.dtype is DType.BOOL:
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise ParameterError(f"parameter {name!r} must be True or False, got {value!r}")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"parameter {name!r} must be a number, got {type(value).__name__} "
                             f"{value!r}")
    if param.dtype is DType.I64:
        if isinstance(value, (float, np.floating)):
            if not float(value).is_integer():
                raise ParameterError(f"parameter {name!r} must be a whole number, got {value!r}")
        value = int(value)
        if not -(2**63) <= value < 2**63:
            raise ParameterError(f"parameter {name!r} = {value} does not fit in 64 bits")
        return value
    return float(value)


def bind(params: dict[str, Param], given: dict) -> dict:
    """Defaults overridden by ``given``; unknown names and wrong types raise ParameterError."""
    unknown = [k for k in given if k not in params]
    if unknown:
        hints = []
        for k in unknown:
            close = difflib.get_close_matches(k, list(params), n=1)
            hints.append(f"{k!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        known = ", ".join(sorted(params)) or "none"
        raise ParameterError(f"unknown parameter {', '.join(hints)}; this algorithm takes: {known}")
    bound = {}
    for name, param in params.items():
        if name in given:
            bound[name] = _coerce(param, given[name])
        elif param.default is None:
            raise ParameterError(f"parameter {name!r} has no default; pass {name}=...")
        else:
            bound[name] = _coerce(param, param.default)
    return bound
