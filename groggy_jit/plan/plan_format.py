"""The stored form of a plan: a versioned JSON document, and how a plan is written as one.

A stored plan holds the optimized IR (nodes, parameters, outputs), the index
dtype and fusion flag, a table of constants, and, for inspection, the steps,
slots and slot assignment.  JSON has no tuples, inf or nan: those values are
written as tagged objects.  ``plan_loader`` reads a document back.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from typing import Any

import numpy as np

from ..errors import PlanFormatError
from ..ir.graph import IRGraph, Param
from ..ir.ops import CONST
from ..ir.types import DType, Kind, Type
from .plan import PLAN_FORMAT_VERSION, ExecutionPlan
from .steps import CopyInStep, GroupStep, LoopStep, OwnPassStep, ScalarStep

# Bump when the stored layout changes; loaders refuse versions newer than their own.
SERIALIZATION_VERSION = 1
FORMAT_NAME = "groggy-jit plan"

REGENERATE = ("regenerate it from the algorithm with plan_to_json/plan_to_bytes "
               "(e.g. plan_to_bytes(compile_plan(algo)))")

TOP_KEYS = ("format", "version", "plan_format_version", "name", "index_dtype", "fused",
             "plan_hash", "params", "requirements", "constants", "nodes", "outputs", "steps",
             "slots", "slot_of", "num_loops")
NODE_KEYS = ("id", "op", "inputs", "attrs", "type", "region", "hint")
_STEP_TYPES = (ScalarStep, GroupStep, OwnPassStep, CopyInStep, LoopStep)
PARAM_FIELDS = tuple(f.name for f in dataclasses.fields(Param))
_TYPE_TEXT = re.compile(r"(\w+)\[(\w+)\]\Z")


def format_error(problem: str, remedy: str = REGENERATE) -> PlanFormatError:
    return PlanFormatError(f"cannot load plan: {problem}; {remedy}")


# --- values: JSON has no tuples, inf or nan, so those are written as tagged objects --------

def encode_value(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value):
            return {"float": "nan"}
        if math.isinf(value):
            return {"float": "inf" if value > 0 else "-inf"}
        return value
    if isinstance(value, tuple):
        return {"tuple": [encode_value(v, where) for v in value]}
    if isinstance(value, Type):
        return {"type": str(value)}
    if isinstance(value, DType):
        return {"dtype": value.value}
    if isinstance(value, Kind):
        return {"kind": value.value}
    raise PlanFormatError(f"cannot serialize {where}: {type(value).__name__} {value!r} has no "
                          "stored form; IR attributes must be numbers, bools, strings, None, "
                          "tuples or types")


_FLOATS = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}
DTYPE_NAMES = tuple(d.value for d in DType)


def one_of(choices):
    """A check that a decoded JSON value is one of some strings (lists are unhashable)."""
    choices = frozenset(choices)
    return lambda v: isinstance(v, str) and v in choices


def decode_value(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise format_error(f"{where} is a non-finite number written as a plain JSON number; "
                         "inf and nan are stored as {\"float\": \"inf\"|\"-inf\"|\"nan\"}")
        return value
    if isinstance(value, dict) and len(value) == 1:
        (tag, body), = value.items()
        if tag == "float" and one_of(_FLOATS)(body):
            return _FLOATS[body]
        if tag == "tuple" and isinstance(body, list):
            return tuple(decode_value(v, f"{where}[{k}]") for k, v in enumerate(body))
        if tag == "type" and isinstance(body, str):
            return parse_type(body, where)
        if tag == "dtype" and one_of(DTYPE_NAMES)(body):
            return DType(body)
        if tag == "kind" and one_of(k.value for k in Kind)(body):
            return Kind(body)
    raise format_error(f"{where} is {describe(value)}, which is not a stored value (numbers, bools, "
                 "strings, null, or one of {\"float\": ...}, {\"tuple\": [...]}, {\"type\": ...})")


def value_key(value: Any) -> str:
    """Identity of a value for the constants table: exact, so 0.0 and -0.0 stay apart."""
    return json.dumps(encode_value(value, "constant"), sort_keys=True)


def describe(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a bool",
             int: "an integer", float: "a number", type(None): "null"}
    text = json.dumps(value, default=repr)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{names.get(type(value), type(value).__name__)} {text}"


def parse_type(text: str, where: str) -> Type:
    match = _TYPE_TEXT.match(text)
    kinds, dtypes = {k.value for k in Kind}, {d.value for d in DType}
    if not match or match.group(1) not in kinds or match.group(2) not in dtypes:
        raise format_error(f"{where} is {text!r}, not a value type like 'node[f64]' (kinds: "
                     f"{', '.join(sorted(kinds))}; dtypes: {', '.join(sorted(dtypes))})")
    return Type(Kind(match.group(1)), DType(match.group(2)))


# --- writing ---------------------------------------------------------------------------------

def constants_table(plan) -> list[tuple[Any, str]]:
    """Every distinct ``const`` value of a plan's IR as ``(value, dtype)``, in node order.

    Values are plain Python ``float``/``int``/``bool``; ``dtype`` is ``"f64"``,
    ``"i64"`` or ``"bool"``.  Equal values of different dtypes are separate entries.
    """
    ir = getattr(plan, "ir", plan)
    return [entry for entry, _ in _constants(ir).values()]


def _constants(ir: IRGraph) -> dict[tuple[str, str], tuple[tuple[Any, str], int]]:
    table: dict[tuple[str, str], tuple[tuple[Any, str], int]] = {}
    for node in ir.nodes:
        if node.op == CONST:
            dtype = node.attr("dtype")
            value = _plain(node.attr("value"), f"the value of constant {node.id}")
            key = (dtype, value_key(value))
            if key not in table:
                table[key] = ((value, dtype), len(table))
    return table


def encode_steps(steps) -> list:
    """Steps as plain JSON data, every dataclass field included (stored for inspection)."""
    return [_encode_step(step) for step in steps]


def _encode_step(obj: Any) -> Any:
    if isinstance(obj, _STEP_TYPES):
        return {"step": type(obj).__name__,
                **{f.name: _encode_step(getattr(obj, f.name)) for f in dataclasses.fields(obj)}}
    if isinstance(obj, (list, tuple)):
        return [_encode_step(x) for x in obj]
    if obj is None or isinstance(obj, (str, bool, int)):
        return obj
    raise PlanFormatError(f"cannot serialize a plan step holding {type(obj).__name__} {obj!r}")


def encode_slots(plan: ExecutionPlan) -> list:
    return [{"index": s.index, "type": str(s.type), "values": list(s.values)} for s in plan.slots]


def _plain(value: Any, where: str) -> Any:
    """A value as it reads back: numpy scalars become Python numbers."""
    return decode_value(encode_value(value, where), where)


def _encode_param(param: Param) -> dict:
    out = {"name": param.name, "dtype": param.dtype.value}
    for name in PARAM_FIELDS:                  # the default and any further fields
        if name not in out:
            out[name] = encode_value(getattr(param, name), f"{name} of parameter {param.name!r}")
    return out


def document(plan: ExecutionPlan) -> dict:
    ir = plan.ir
    constants = _constants(ir)
    nodes = []
    for node in ir.nodes:
        attrs = node.attrs
        entry: dict[str, Any] = {"id": node.id, "op": node.op, "inputs": list(node.inputs)}
        if node.op == CONST:
            value = _plain(node.attr("value"), f"the value of constant {node.id}")
            entry["const"] = constants[(node.attr("dtype"), value_key(value))][1]
            attrs = tuple((k, v) for k, v in attrs if k not in ("value", "dtype"))
        entry["attrs"] = [[k, encode_value(v, f"attribute {k!r} of node {node.id} ({node.op})")]
                          for k, v in attrs]
        entry.update(type=str(node.type), region=node.region, hint=node.hint)
        nodes.append(entry)
    return {
        "format": FORMAT_NAME,
        "version": SERIALIZATION_VERSION,
        "plan_format_version": PLAN_FORMAT_VERSION,
        "name": plan.name,
        "index_dtype": plan.index_dtype,
        "fused": plan.fused,
        "plan_hash": plan.plan_hash,
        "params": [_encode_param(p) for p in ir.params.values()],
        "requirements": sorted(getattr(ir, "requirements", ())),
        "constants": [[encode_value(v, "constant"), d] for (v, d), _ in constants.values()],
        "nodes": nodes,
        "outputs": [[name, nid] for name, nid in ir.outputs],
        "steps": encode_steps(plan.steps),
        "slots": encode_slots(plan),
        "slot_of": dict(sorted(plan.slot_of.items())),
        "num_loops": plan.num_loops,
    }


def plan_to_json(plan: ExecutionPlan, *, indent: int | None = None) -> str:
    """The plan as JSON text: deterministic (same plan, same text); ``indent`` for reading."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(document(plan), sort_keys=True, indent=indent, separators=separators,
                      ensure_ascii=False, allow_nan=False)


def check_version(version: Any) -> None:
    if not is_int(version) or version < 1:
        raise format_error(f"unknown serialization version {version!r}")
    if version > SERIALIZATION_VERSION:
        raise format_error(f"the plan was written in serialization version {version}, and this "
                     f"groggy-jit reads versions up to {SERIALIZATION_VERSION}",
                     "upgrade groggy-jit, or regenerate the plan with this version")


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
