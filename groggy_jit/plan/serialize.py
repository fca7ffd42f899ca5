"""Versioned JSON and binary forms of a ``BatchExecutionPlan``.

A stored plan holds the optimized IR (nodes, parameters, outputs), the index
dtype and fusion flag, a table of constants, and, for inspection, the steps,
slots and slot assignment.  Loading decodes the IR, verifies it, rebuilds the
steps, live ranges and slots from it (no passes run: the IR is already
optimized) and checks that they and the plan hash equal what was stored.
Nothing is unpickled or evaluated; any malformed input raises
``PlanFormatError``.

The binary form is ``MAGIC``, a big-endian ``u16`` serialization version and
``u32`` payload length, the payload (the canonical JSON, zlib-compressed), and
a ``u32`` CRC-32 of everything before it.

Examples
--------
>>> import groggy_jit as gj
>>> from groggy_jit.plan.serialize import plan_from_bytes, plan_to_bytes
>>> plan = gj.pagerank.plan
>>> plan_from_bytes(plan_to_bytes(plan)).plan_hash == plan.plan_hash
True
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import struct
import zlib
from typing import Any

import numpy as np

from ..errors import GroggyJITError, PlanFormatError
from ..ir import graph as ir_graph
from ..ir.graph import IRGraph, Node, Param, _freeze_attrs
from ..ir.monoids import NEIGHBOUR_REDUCTIONS, REDUCTIONS
from ..ir.ops import DIRECTIONS, LOOP_KINDS, OPS
from ..ir.types import DType, Kind, Type
from ..ir.verify import verify
from .generator import INDEX_DTYPES, build_plan
from .plan import PLAN_FORMAT_VERSION, BatchExecutionPlan
from .steps import CopyInStep, GroupStep, LoopStep, OwnPassStep, ScalarStep

__all__ = ["SERIALIZATION_VERSION", "MAGIC", "plan_to_json", "plan_from_json", "plan_to_bytes",
           "plan_from_bytes", "constants_table"]

# Bump when the stored layout changes; loaders refuse versions newer than their own.
SERIALIZATION_VERSION = 1
FORMAT_NAME = "groggy-jit plan"
MAGIC = b"GJPLAN"

_HEADER = struct.Struct(">6sHI")          # magic, serialization version, payload length
_TRAILER = struct.Struct(">I")            # CRC-32 of header + payload
_MAX_JSON_BYTES = 256 * 2**20             # a decompressed payload larger than this is refused

_REGENERATE = ("regenerate it from the algorithm with plan_to_json/plan_to_bytes "
               "(e.g. plan_to_bytes(compile_to_batch(algo)))")

_TOP_KEYS = ("format", "version", "plan_format_version", "name", "index_dtype", "fused",
             "plan_hash", "params", "requirements", "constants", "nodes", "outputs", "steps",
             "slots", "slot_of", "num_loops")
_NODE_KEYS = ("id", "op", "inputs", "attrs", "type", "region", "hint")
_STEP_TYPES = (ScalarStep, GroupStep, OwnPassStep, CopyInStep, LoopStep)
_PARAM_FIELDS = tuple(f.name for f in dataclasses.fields(Param))
_TYPE_TEXT = re.compile(r"(\w+)\[(\w+)\]\Z")


def _error(problem: str, remedy: str = _REGENERATE) -> PlanFormatError:
    return PlanFormatError(f"cannot load plan: {problem}; {remedy}")


# --- values: JSON has no tuples, inf or nan, so those are written as tagged objects --------

def _encode_value(value: Any, where: str) -> Any:
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
        return {"tuple": [_encode_value(v, where) for v in value]}
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
_DTYPES = tuple(d.value for d in DType)


def _one_of(choices):
    """A check that a decoded JSON value is one of some strings (lists are unhashable)."""
    choices = frozenset(choices)
    return lambda v: isinstance(v, str) and v in choices


def _decode_value(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _error(f"{where} is a non-finite number written as a plain JSON number; "
                         "inf and nan are stored as {\"float\": \"inf\"|\"-inf\"|\"nan\"}")
        return value
    if isinstance(value, dict) and len(value) == 1:
        (tag, body), = value.items()
        if tag == "float" and _one_of(_FLOATS)(body):
            return _FLOATS[body]
        if tag == "tuple" and isinstance(body, list):
            return tuple(_decode_value(v, f"{where}[{k}]") for k, v in enumerate(body))
        if tag == "type" and isinstance(body, str):
            return _parse_type(body, where)
        if tag == "dtype" and _one_of(_DTYPES)(body):
            return DType(body)
        if tag == "kind" and _one_of(k.value for k in Kind)(body):
            return Kind(body)
    raise _error(f"{where} is {_describe(value)}, which is not a stored value (numbers, bools, "
                 "strings, null, or one of {\"float\": ...}, {\"tuple\": [...]}, {\"type\": ...})")


def _value_key(value: Any) -> str:
    """Identity of a value for the constants table: exact, so 0.0 and -0.0 stay apart."""
    return json.dumps(_encode_value(value, "constant"), sort_keys=True)


def _describe(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a bool",
             int: "an integer", float: "a number", type(None): "null"}
    text = json.dumps(value, default=repr)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{names.get(type(value), type(value).__name__)} {text}"


def _parse_type(text: str, where: str) -> Type:
    match = _TYPE_TEXT.match(text)
    kinds, dtypes = {k.value for k in Kind}, {d.value for d in DType}
    if not match or match.group(1) not in kinds or match.group(2) not in dtypes:
        raise _error(f"{where} is {text!r}, not a value type like 'node[f64]' (kinds: "
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
        if node.op == "const":
            dtype = node.attr("dtype")
            value = _plain(node.attr("value"), f"the value of constant {node.id}")
            key = (dtype, _value_key(value))
            if key not in table:
                table[key] = ((value, dtype), len(table))
    return table


def _encode_steps(steps) -> list:
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


def _encode_slots(plan: BatchExecutionPlan) -> list:
    return [{"index": s.index, "type": str(s.type), "values": list(s.values)} for s in plan.slots]


def _plain(value: Any, where: str) -> Any:
    """A value as it reads back: numpy scalars become Python numbers."""
    return _decode_value(_encode_value(value, where), where)


def _encode_param(param: Param) -> dict:
    out = {"name": param.name, "dtype": param.dtype.value}
    for name in _PARAM_FIELDS:                  # the default and any further fields
        if name not in out:
            out[name] = _encode_value(getattr(param, name), f"{name} of parameter {param.name!r}")
    return out


def _document(plan: BatchExecutionPlan) -> dict:
    ir = plan.ir
    constants = _constants(ir)
    nodes = []
    for node in ir.nodes:
        attrs = node.attrs
        entry: dict[str, Any] = {"id": node.id, "op": node.op, "inputs": list(node.inputs)}
        if node.op == "const":
            value = _plain(node.attr("value"), f"the value of constant {node.id}")
            entry["const"] = constants[(node.attr("dtype"), _value_key(value))][1]
            attrs = tuple((k, v) for k, v in attrs if k not in ("value", "dtype"))
        entry["attrs"] = [[k, _encode_value(v, f"attribute {k!r} of node {node.id} ({node.op})")]
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
        "constants": [[_encode_value(v, "constant"), d] for (v, d), _ in constants.values()],
        "nodes": nodes,
        "outputs": [[name, nid] for name, nid in ir.outputs],
        "steps": _encode_steps(plan.steps),
        "slots": _encode_slots(plan),
        "slot_of": dict(sorted(plan.slot_of.items())),
        "num_loops": plan.num_loops,
    }


def plan_to_json(plan: BatchExecutionPlan, *, indent: int | None = None) -> str:
    """The plan as JSON text: deterministic (same plan, same text); ``indent`` for reading."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(_document(plan), sort_keys=True, indent=indent, separators=separators,
                      ensure_ascii=False, allow_nan=False)


def plan_to_bytes(plan: BatchExecutionPlan) -> bytes:
    """The plan in the compact binary form (compressed canonical JSON with a CRC-32)."""
    payload = zlib.compress(plan_to_json(plan).encode("utf-8"), 9)
    head = _HEADER.pack(MAGIC, SERIALIZATION_VERSION, len(payload)) + payload
    return head + _TRAILER.pack(zlib.crc32(head))


# --- reading ---------------------------------------------------------------------------------

def plan_from_bytes(data: bytes) -> BatchExecutionPlan:
    """Load a plan written by :func:`plan_to_bytes`; corrupted input raises PlanFormatError."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise _error(f"expected bytes, got {type(data).__name__}",
                     "pass the bytes plan_to_bytes returned (open files in binary mode)")
    data = bytes(data)
    if len(data) < len(MAGIC) or not data.startswith(MAGIC):
        hint = (" (it looks like JSON: use plan_from_json)" if data.lstrip()[:1] in (b"{", b"[")
                else "")
        raise _error(f"the data does not start with {MAGIC!r}, so it is not a binary "
                     f"groggy-jit plan{hint}", "check that the right file was given")
    if len(data) < _HEADER.size + _TRAILER.size:
        raise _error(f"the data is truncated ({len(data)} bytes, the header alone needs "
                     f"{_HEADER.size + _TRAILER.size})")
    _, version, length = _HEADER.unpack_from(data)
    _check_version(version)
    expected = _HEADER.size + length + _TRAILER.size
    if len(data) < expected:
        raise _error(f"the data is truncated: {len(data)} bytes, the header announces {expected}")
    if len(data) > expected:
        raise _error(f"{len(data) - expected} unexpected byte(s) after the end of the plan")
    (stored,) = _TRAILER.unpack_from(data, expected - _TRAILER.size)
    actual = zlib.crc32(data[:expected - _TRAILER.size])
    if stored != actual:
        raise _error(f"checksum mismatch (stored {stored:08x}, computed {actual:08x}): the data "
                     "is corrupted")
    text = _inflate(data[_HEADER.size:_HEADER.size + length])
    plan = plan_from_json(text)
    return plan


def _inflate(payload: bytes) -> str:
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(payload, _MAX_JSON_BYTES)
    except zlib.error as e:
        raise _error(f"the compressed payload cannot be decompressed ({e})") from None
    if inflater.unconsumed_tail:
        raise _error(f"the payload decompresses to more than {_MAX_JSON_BYTES} bytes",
                     "plans are far smaller; the data is corrupted or not a plan")
    if not inflater.eof or inflater.unused_data:
        raise _error("the compressed payload is incomplete or has trailing data")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _error(f"the payload is not UTF-8 text ({e})") from None


def _check_version(version: Any) -> None:
    if not _is_int(version) or version < 1:
        raise _error(f"unknown serialization version {version!r}")
    if version > SERIALIZATION_VERSION:
        raise _error(f"the plan was written in serialization version {version}, and this "
                     f"groggy-jit reads versions up to {SERIALIZATION_VERSION}",
                     "upgrade groggy-jit, or regenerate the plan with this version")


def _reject_constant(name: str):
    raise _error(f"the JSON contains {name}, which is not valid JSON (inf and nan are stored "
                 "as {\"float\": \"inf\"|\"-inf\"|\"nan\"})")


def _unique_keys(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise _error(f"the JSON object key {key!r} appears twice")
        out[key] = value
    return out


def plan_from_json(text: str | bytes) -> BatchExecutionPlan:
    """Load a plan written by :func:`plan_to_json`; malformed input raises PlanFormatError."""
    if not isinstance(text, (str, bytes, bytearray)):
        raise _error(f"expected JSON text, got {type(text).__name__}",
                     "pass the string plan_to_json returned")
    try:
        doc = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except PlanFormatError:
        raise
    except (ValueError, RecursionError) as e:        # JSONDecodeError, bad UTF-8, huge ints
        raise _error(f"the text is not valid JSON ({e})") from None
    return _load_document(doc)


def _canonical(data: Any) -> str:
    """Exact comparison of JSON data (``true`` is not ``1`` here, unlike in Python)."""
    return json.dumps(data, sort_keys=True)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _get(obj: dict, key: str, where: str, check, what: str) -> Any:
    if key not in obj:
        raise _error(f"{where}: the key {key!r} is missing")
    value = obj[key]
    if not check(value):
        raise _error(f"{where}.{key} should be {what}, got {_describe(value)}")
    return value


def _is_str(v):
    return isinstance(v, str)


def _is_list(v):
    return isinstance(v, list)


def _is_opt_str(v):
    return v is None or isinstance(v, str)


def _exact_keys(obj: Any, keys: tuple[str, ...], where: str, optional: tuple[str, ...] = ()):
    if not isinstance(obj, dict):
        raise _error(f"{where} should be a JSON object, got {_describe(obj)}")
    unknown = sorted(set(obj) - set(keys) - set(optional))
    if unknown:
        raise _error(f"{where} has unexpected key(s) {', '.join(map(repr, unknown))}")
    missing = [k for k in keys if k not in obj]
    if missing:
        raise _error(f"{where}: the key(s) {', '.join(map(repr, missing))} are missing")


def _load_document(doc: Any) -> BatchExecutionPlan:
    if not isinstance(doc, dict):
        raise _error(f"the top level should be a JSON object, got {_describe(doc)}")
    if doc.get("format") != FORMAT_NAME:
        raise _error(f"'format' is {doc.get('format')!r}, not {FORMAT_NAME!r}: this is not a "
                     "groggy-jit plan", "check that the right file was given")
    _exact_keys(doc, _TOP_KEYS, "the plan")
    _check_version(doc["version"])
    plan_version = doc["plan_format_version"]
    if not _is_int(plan_version) or plan_version != PLAN_FORMAT_VERSION:
        raise _error(f"the plan has plan format version {plan_version!r} and this groggy-jit "
                     f"generates version {PLAN_FORMAT_VERSION}, whose kernels differ",
                     "recompile the algorithm with this groggy-jit")
    name = _get(doc, "name", "the plan", _is_str, "a string")
    index_dtype = _get(doc, "index_dtype", "the plan", _one_of(INDEX_DTYPES),
                       f"one of {', '.join(INDEX_DTYPES)}")
    fused = _get(doc, "fused", "the plan", lambda v: isinstance(v, bool), "true or false")
    stored_hash = _get(doc, "plan_hash", "the plan", _is_str, "a string")
    constants = _load_constants(_get(doc, "constants", "the plan", _is_list, "an array"))
    ir = IRGraph(name)
    _load_params(ir, _get(doc, "params", "the plan", _is_list, "an array"))
    _load_requirements(ir, doc["requirements"])
    _load_nodes(ir, _get(doc, "nodes", "the plan", _is_list, "an array"), constants)
    _load_outputs(ir, _get(doc, "outputs", "the plan", _is_list, "an array"))
    if [(_value_key(v), d) for v, d in constants_table(ir)] != \
            [(_value_key(v), d) for v, d in constants]:
        raise _error("the constants table does not list each constant of the IR exactly once, "
                     "in node order")
    _check_structure(ir)
    plan = _rebuild(ir, index_dtype, fused)
    for key, actual in (("steps", _encode_steps(plan.steps)), ("slots", _encode_slots(plan)),
                        ("slot_of", dict(sorted(plan.slot_of.items()))),
                        ("num_loops", plan.num_loops)):
        if _canonical(doc[key]) != _canonical(actual):
            raise _error(f"the stored {key} differ from the ones this groggy-jit builds from the "
                         "stored IR (the plan was edited, or written by a different version)",
                         "recompile the algorithm with this groggy-jit")
    if plan.plan_hash != stored_hash:
        raise _error(f"the plan hash does not match: stored {stored_hash[:16]}..., the stored IR "
                     f"gives {plan.plan_hash[:16]}... (the plan was edited or corrupted)")
    return plan


def _load_constants(items: list) -> list[tuple[Any, str]]:
    out = []
    for k, item in enumerate(items):
        where = f"constants[{k}]"
        if not (isinstance(item, list) and len(item) == 2):
            raise _error(f"{where} should be a [value, dtype] pair, got {_describe(item)}")
        raw, dtype = item
        if not _one_of(_DTYPES)(dtype):
            raise _error(f"{where} has dtype {dtype!r}; use one of "
                         f"{', '.join(_DTYPES)}")
        value = _decode_value(raw, where)
        _check_scalar(value, DType(dtype), where)
        out.append((value, dtype))
    return out


def _check_scalar(value: Any, dtype: DType, where: str) -> None:
    ok = {DType.BOOL: lambda v: isinstance(v, bool),
          DType.I64: lambda v: _is_int(v) and -(2**63) <= v < 2**63,
          DType.F64: lambda v: isinstance(v, float)}[dtype](value)
    if not ok:
        raise _error(f"{where} is {_describe(value)}, not a {dtype.value} value")


def _load_params(ir: IRGraph, items: list) -> None:
    for k, item in enumerate(items):
        where = f"params[{k}]"
        _exact_keys(item, ("name", "dtype", "default"), where, optional=_PARAM_FIELDS)
        name = _get(item, "name", where, _is_str, "a string")
        where = f"params[{k}] ({name})"
        dtype = _get(item, "dtype", where, _one_of(_DTYPES),
                     f"one of {', '.join(_DTYPES)}")
        default = _decode_value(item["default"], f"{where}.default")
        if default is not None:
            if DType(dtype) is DType.BOOL:
                _check_scalar(default, DType.BOOL, f"{where}.default")
            elif isinstance(default, bool) or not isinstance(default, (int, float)):
                raise _error(f"{where}.default is {_describe(item['default'])}, not a number")
        extras = {}
        for field in dataclasses.fields(Param):
            if field.name in item and field.name not in ("name", "dtype", "default"):
                value = _decode_value(item[field.name], f"{where}.{field.name}")
                if field.default is not dataclasses.MISSING and \
                        type(value) is not type(field.default):
                    raise _error(f"{where}.{field.name} should be a "
                                 f"{type(field.default).__name__}, got {_describe(value)}")
                extras[field.name] = value
        if name in ir.params:
            raise _error(f"parameter {name!r} is declared twice")
        ir.params[name] = Param(name, DType(dtype), default, **extras)


def _load_requirements(ir: IRGraph, items: Any) -> None:
    known = getattr(ir_graph, "REQUIREMENTS", ())
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        raise _error(f"'requirements' should be an array of strings, got {_describe(items)}")
    unknown = sorted(set(items) - set(known))
    if unknown:
        raise _error(f"unknown graph requirement(s) {', '.join(map(repr, unknown))}; this "
                     f"groggy-jit knows {', '.join(known) or 'none'}")
    if items:
        ir.requirements = set(items)


_ATTR_RULES = {
    # attribute name -> (check, what it should be); attributes mean the same in every op
    "dtype": (_one_of(_DTYPES), "a dtype name"),
    "over": (_one_of(DIRECTIONS), f"one of {', '.join(DIRECTIONS)}"),
    "reduce": (_one_of([*REDUCTIONS, *NEIGHBOUR_REDUCTIONS]), "a reduction name"),
    "kind": (_one_of(LOOP_KINDS), f"one of {', '.join(LOOP_KINDS)}"),
    "carries": (lambda v: isinstance(v, tuple) and all(isinstance(x, str) for x in v),
                "a tuple of node ids"),
    "stop": (_is_opt_str, "a node id or null"),
    "loop": (_is_str, "a node id"),
    "index": (lambda v: _is_int(v) and v >= 0, "a non-negative integer"),
    "name": (_is_str, "a string"),
    "type": (lambda v: isinstance(v, Type), "a value type"),
}


def _load_nodes(ir: IRGraph, items: list, constants: list) -> None:
    for k, item in enumerate(items):
        where = f"nodes[{k}]"
        _exact_keys(item, _NODE_KEYS, where, optional=("const",))
        node_id = _get(item, "id", where, lambda v: isinstance(v, str) and v, "a non-empty string")
        where = f"nodes[{k}] ({node_id})"
        op = _get(item, "op", where, _is_str, "a string")
        if op not in OPS:
            raise _error(f"{where}.op is {op!r}, which this groggy-jit does not know (a plan from "
                         "a newer version, or corrupted)")
        inputs = _get(item, "inputs", where, lambda v: _is_list(v) and all(map(_is_str, v)),
                      "an array of node ids")
        attrs = _load_attrs(_get(item, "attrs", where, _is_list, "an array of [name, value]"),
                            where)
        if op == "const":
            index = _get(item, "const", where, _is_int, "an index into the constants table")
            if not 0 <= index < len(constants):
                raise _error(f"{where}.const is {index}, but the constants table has "
                             f"{len(constants)} entries")
            if "value" in attrs or "dtype" in attrs:
                raise _error(f"{where} states its value in attrs; a const refers to the "
                             "constants table instead")
            value, dtype = constants[index]
            attrs.update(value=value, dtype=dtype)
        elif "const" in item:
            raise _error(f"{where} is a {op} node but has a 'const' reference")
        arity = OPS[op].arity
        if arity >= 0 and len(inputs) != arity:
            raise _error(f"{where}: {op} takes {arity} input(s), got {len(inputs)}")
        for key in OPS[op].attrs:
            if key not in attrs and key != "type":       # node.type carries a loop result's type
                raise _error(f"{where} ({op}) lacks the attribute {key!r}")
        type_text = _get(item, "type", where, _is_str, "a type such as 'node[f64]'")
        region = _get(item, "region", where, _is_opt_str, "a loop node id or null")
        hint = _get(item, "hint", where, _is_opt_str, "a string or null")
        node = Node(node_id, op, tuple(inputs), _freeze_attrs(attrs),
                    _parse_type(type_text, f"{where}.type"), region, hint)
        if node_id in ir.node_map:
            raise _error(f"{where}: the node id {node_id!r} is used twice")
        ir.add_node(node)
    numbered = [int(n.id[1:]) for n in ir.nodes if re.fullmatch(r"%\d+", n.id)]
    ir._counter = max(numbered, default=0)     # new nodes added later get fresh ids


def _load_attrs(items: list, where: str) -> dict:
    attrs: dict[str, Any] = {}
    for j, pair in enumerate(items):
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
            raise _error(f"{where}.attrs[{j}] should be a [name, value] pair, got "
                         f"{_describe(pair)}")
        key, raw = pair
        if key in attrs:
            raise _error(f"{where} has the attribute {key!r} twice")
        value = _decode_value(raw, f"{where}.attrs.{key}")
        if key in _ATTR_RULES:
            check, what = _ATTR_RULES[key]
            if not check(value):
                raise _error(f"{where}.attrs.{key} should be {what}, got {_describe(raw)}")
        attrs[key] = value
    return attrs


def _load_outputs(ir: IRGraph, items: list) -> None:
    for k, item in enumerate(items):
        if not (isinstance(item, list) and len(item) == 2 and all(map(_is_str, item))):
            raise _error(f"outputs[{k}] should be a [name, node id] pair, got {_describe(item)}")
        name, nid = item
        if nid not in ir.node_map:
            raise _error(f"output {name!r} refers to the unknown node {nid!r}")
        try:
            ir.set_output(name, nid)
        except GroggyJITError as e:
            raise _error(f"outputs[{k}]: {e}") from None


def _check_structure(ir: IRGraph) -> None:
    try:
        verify(ir)
    except GroggyJITError as e:
        raise _error(f"the stored IR does not verify: {e}") from None
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, StopIteration) as e:
        raise _error(f"the stored IR is inconsistent ({type(e).__name__}: {e})") from None


def _rebuild(ir: IRGraph, index_dtype: str, fused: bool) -> BatchExecutionPlan:
    """Steps, live ranges and slots of an optimized IR, as the plan generator builds them."""
    try:
        return build_plan(ir, ir.name, index_dtype, fused)
    except GroggyJITError as e:
        raise _error(f"no plan can be built from the stored IR: {e}") from None
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, StopIteration) as e:
        raise _error(f"no plan can be built from the stored IR ({type(e).__name__}: {e})") \
            from None
