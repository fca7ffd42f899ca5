"""Reading a stored plan back: every field checked, the IR verified by ``ir/verify.py``,
the steps, live ranges and slots rebuilt from it (no passes run: the IR is already
optimized) and compared with what was stored, and the plan hash checked.  Nothing is
unpickled or evaluated; any malformed input raises ``PlanFormatError``.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ..errors import GroggyJITError, PlanFormatError
from ..ir import graph as ir_graph
from ..ir.graph import IRGraph, Node, Param, freeze_attrs
from ..ir.monoids import NEIGHBOUR_REDUCTIONS, REDUCTIONS
from ..ir.ops import CONST, DIRECTIONS, LOOP_KINDS, OPS
from ..ir.types import DType, Type
from ..ir.verify import verify
from .generator import INDEX_DTYPES, build_plan
from .plan import PLAN_FORMAT_VERSION, ExecutionPlan
from .plan_format import (DTYPE_NAMES, FORMAT_NAME, NODE_KEYS, PARAM_FIELDS, TOP_KEYS,
                          check_version, constants_table, decode_value, describe, encode_slots,
                          encode_steps, format_error, is_int, one_of, parse_type, value_key)

def _reject_constant(name: str):
    raise format_error(f"the JSON contains {name}, which is not valid JSON (inf and nan are stored "
                 "as {\"float\": \"inf\"|\"-inf\"|\"nan\"})")


def _unique_keys(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise format_error(f"the JSON object key {key!r} appears twice")
        out[key] = value
    return out


def plan_from_json(text: str | bytes) -> ExecutionPlan:
    """Load a plan written by :func:`plan_to_json`; malformed input raises PlanFormatError."""
    if not isinstance(text, (str, bytes, bytearray)):
        raise format_error(f"expected JSON text, got {type(text).__name__}",
                     "pass the string plan_to_json returned")
    try:
        doc = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except PlanFormatError:
        raise
    except (ValueError, RecursionError) as e:        # JSONDecodeError, bad UTF-8, huge ints
        raise format_error(f"the text is not valid JSON ({e})") from None
    return _load_document(doc)


def _canonical(data: Any) -> str:
    """Exact comparison of JSON data (``true`` is not ``1`` here, unlike in Python)."""
    return json.dumps(data, sort_keys=True)


def _get(obj: dict, key: str, where: str, check, what: str) -> Any:
    if key not in obj:
        raise format_error(f"{where}: the key {key!r} is missing")
    value = obj[key]
    if not check(value):
        raise format_error(f"{where}.{key} should be {what}, got {describe(value)}")
    return value


def _is_str(v):
    return isinstance(v, str)


def _is_list(v):
    return isinstance(v, list)


def _is_opt_str(v):
    return v is None or isinstance(v, str)


def _exact_keys(obj: Any, keys: tuple[str, ...], where: str, optional: tuple[str, ...] = ()):
    if not isinstance(obj, dict):
        raise format_error(f"{where} should be a JSON object, got {describe(obj)}")
    unknown = sorted(set(obj) - set(keys) - set(optional))
    if unknown:
        raise format_error(f"{where} has unexpected key(s) {', '.join(map(repr, unknown))}")
    missing = [k for k in keys if k not in obj]
    if missing:
        raise format_error(f"{where}: the key(s) {', '.join(map(repr, missing))} are missing")


def _load_document(doc: Any) -> ExecutionPlan:
    if not isinstance(doc, dict):
        raise format_error(f"the top level should be a JSON object, got {describe(doc)}")
    if doc.get("format") != FORMAT_NAME:
        raise format_error(f"'format' is {doc.get('format')!r}, not {FORMAT_NAME!r}: this is not a "
                     "groggy-jit plan", "check that the right file was given")
    _exact_keys(doc, TOP_KEYS, "the plan")
    check_version(doc["version"])
    plan_version = doc["plan_format_version"]
    if not is_int(plan_version) or plan_version != PLAN_FORMAT_VERSION:
        raise format_error(f"the plan has plan format version {plan_version!r} and this groggy-jit "
                     f"generates version {PLAN_FORMAT_VERSION}, whose kernels differ",
                     "recompile the algorithm with this groggy-jit")
    name = _get(doc, "name", "the plan", _is_str, "a string")
    index_dtype = _get(doc, "index_dtype", "the plan", one_of(INDEX_DTYPES),
                       f"one of {', '.join(INDEX_DTYPES)}")
    fused = _get(doc, "fused", "the plan", lambda v: isinstance(v, bool), "true or false")
    stored_hash = _get(doc, "plan_hash", "the plan", _is_str, "a string")
    constants = _load_constants(_get(doc, "constants", "the plan", _is_list, "an array"))
    ir = IRGraph(name)
    _load_params(ir, _get(doc, "params", "the plan", _is_list, "an array"))
    _load_requirements(ir, doc["requirements"])
    _load_nodes(ir, _get(doc, "nodes", "the plan", _is_list, "an array"), constants)
    _load_outputs(ir, _get(doc, "outputs", "the plan", _is_list, "an array"))
    if [(value_key(v), d) for v, d in constants_table(ir)] != \
            [(value_key(v), d) for v, d in constants]:
        raise format_error("the constants table does not list each constant of the IR exactly once, "
                     "in node order")
    _check_structure(ir)
    plan = _rebuild(ir, index_dtype, fused)
    for key, actual in (("steps", encode_steps(plan.steps)), ("slots", encode_slots(plan)),
                        ("slot_of", dict(sorted(plan.slot_of.items()))),
                        ("num_loops", plan.num_loops)):
        if _canonical(doc[key]) != _canonical(actual):
            raise format_error(f"the stored {key} differ from the ones this groggy-jit builds from the "
                         "stored IR (the plan was edited, or written by a different version)",
                         "recompile the algorithm with this groggy-jit")
    if plan.plan_hash != stored_hash:
        raise format_error(f"the plan hash does not match: stored {stored_hash[:16]}..., the stored IR "
                     f"gives {plan.plan_hash[:16]}... (the plan was edited or corrupted)")
    return plan


def _load_constants(items: list) -> list[tuple[Any, str]]:
    out = []
    for k, item in enumerate(items):
        where = f"constants[{k}]"
        if not (isinstance(item, list) and len(item) == 2):
            raise format_error(f"{where} should be a [value, dtype] pair, got {describe(item)}")
        raw, dtype = item
        if not one_of(DTYPE_NAMES)(dtype):
            raise format_error(f"{where} has dtype {dtype!r}; use one of "
                         f"{', '.join(DTYPE_NAMES)}")
        value = decode_value(raw, where)
        _check_scalar(value, DType(dtype), where)
        out.append((value, dtype))
    return out


def _check_scalar(value: Any, dtype: DType, where: str) -> None:
    ok = {DType.BOOL: lambda v: isinstance(v, bool),
          DType.I64: lambda v: is_int(v) and -(2**63) <= v < 2**63,
          DType.F64: lambda v: isinstance(v, float)}[dtype](value)
    if not ok:
        raise format_error(f"{where} is {describe(value)}, not a {dtype.value} value")


def _load_params(ir: IRGraph, items: list) -> None:
    for k, item in enumerate(items):
        where = f"params[{k}]"
        _exact_keys(item, ("name", "dtype", "default"), where, optional=PARAM_FIELDS)
        name = _get(item, "name", where, _is_str, "a string")
        where = f"params[{k}] ({name})"
        dtype = _get(item, "dtype", where, one_of(DTYPE_NAMES),
                     f"one of {', '.join(DTYPE_NAMES)}")
        default = decode_value(item["default"], f"{where}.default")
        if default is not None:
            if DType(dtype) is DType.BOOL:
                _check_scalar(default, DType.BOOL, f"{where}.default")
            elif isinstance(default, bool) or not isinstance(default, (int, float)):
                raise format_error(f"{where}.default is {describe(item['default'])}, not a number")
        extras = {}
        for field in dataclasses.fields(Param):
            if field.name in item and field.name not in ("name", "dtype", "default"):
                value = decode_value(item[field.name], f"{where}.{field.name}")
                if field.default is not dataclasses.MISSING and \
                        type(value) is not type(field.default):
                    raise format_error(f"{where}.{field.name} should be a "
                                 f"{type(field.default).__name__}, got {describe(value)}")
                extras[field.name] = value
        if name in ir.params:
            raise format_error(f"parameter {name!r} is declared twice")
        ir.params[name] = Param(name, DType(dtype), default, **extras)


def _load_requirements(ir: IRGraph, items: Any) -> None:
    known = getattr(ir_graph, "REQUIREMENTS", ())
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        raise format_error(f"'requirements' should be an array of strings, got {describe(items)}")
    unknown = sorted(set(items) - set(known))
    if unknown:
        raise format_error(f"unknown graph requirement(s) {', '.join(map(repr, unknown))}; this "
                     f"groggy-jit knows {', '.join(known) or 'none'}")
    if items:
        ir.requirements = set(items)


_ATTR_RULES = {
    # attribute name -> (check, what it should be); attributes mean the same in every op
    "dtype": (one_of(DTYPE_NAMES), "a dtype name"),
    "over": (one_of(DIRECTIONS), f"one of {', '.join(DIRECTIONS)}"),
    "reduce": (one_of([*REDUCTIONS, *NEIGHBOUR_REDUCTIONS]), "a reduction name"),
    "kind": (one_of(LOOP_KINDS), f"one of {', '.join(LOOP_KINDS)}"),
    "carries": (lambda v: isinstance(v, tuple) and all(isinstance(x, str) for x in v),
                "a tuple of node ids"),
    "stop": (_is_opt_str, "a node id or null"),
    "residual": (_is_opt_str, "a node id or null"),
    "loop": (_is_str, "a node id"),
    "index": (lambda v: is_int(v) and v >= 0, "a non-negative integer"),
    "first": (lambda v: is_int(v) and v >= 1, "a positive integer"),
    "name": (_is_str, "a string"),
    "type": (lambda v: isinstance(v, Type), "a value type"),
}


def _load_nodes(ir: IRGraph, items: list, constants: list) -> None:
    for k, item in enumerate(items):
        where = f"nodes[{k}]"
        _exact_keys(item, NODE_KEYS, where, optional=("const",))
        node_id = _get(item, "id", where, lambda v: isinstance(v, str) and v, "a non-empty string")
        where = f"nodes[{k}] ({node_id})"
        op = _get(item, "op", where, _is_str, "a string")
        if op not in OPS:
            raise format_error(f"{where}.op is {op!r}, which this groggy-jit does not know (a plan from "
                         "a newer version, or corrupted)")
        inputs = _get(item, "inputs", where, lambda v: _is_list(v) and all(map(_is_str, v)),
                      "an array of node ids")
        attrs = _load_attrs(_get(item, "attrs", where, _is_list, "an array of [name, value]"),
                            where)
        if op == CONST:
            index = _get(item, "const", where, is_int, "an index into the constants table")
            if not 0 <= index < len(constants):
                raise format_error(f"{where}.const is {index}, but the constants table has "
                             f"{len(constants)} entries")
            if "value" in attrs or "dtype" in attrs:
                raise format_error(f"{where} states its value in attrs; a const refers to the "
                             "constants table instead")
            value, dtype = constants[index]
            attrs.update(value=value, dtype=dtype)
        elif "const" in item:
            raise format_error(f"{where} is a {op} node but has a 'const' reference")
        arity = OPS[op].arity
        if arity >= 0 and len(inputs) != arity:
            raise format_error(f"{where}: {op} takes {arity} input(s), got {len(inputs)}")
        for key in OPS[op].attrs:
            if key not in attrs and key != "type":       # node.type carries a loop result's type
                raise format_error(f"{where} ({op}) lacks the attribute {key!r}")
        type_text = _get(item, "type", where, _is_str, "a type such as 'node[f64]'")
        region = _get(item, "region", where, _is_opt_str, "a loop node id or null")
        hint = _get(item, "hint", where, _is_opt_str, "a string or null")
        node = Node(node_id, op, tuple(inputs), freeze_attrs(attrs),
                    parse_type(type_text, f"{where}.type"), region, hint)
        if node_id in ir.node_map:
            raise format_error(f"{where}: the node id {node_id!r} is used twice")
        ir.add_node(node)


def _load_attrs(items: list, where: str) -> dict:
    attrs: dict[str, Any] = {}
    for j, pair in enumerate(items):
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
            raise format_error(f"{where}.attrs[{j}] should be a [name, value] pair, got "
                         f"{describe(pair)}")
        key, raw = pair
        if key in attrs:
            raise format_error(f"{where} has the attribute {key!r} twice")
        value = decode_value(raw, f"{where}.attrs.{key}")
        if key in _ATTR_RULES:
            check, what = _ATTR_RULES[key]
            if not check(value):
                raise format_error(f"{where}.attrs.{key} should be {what}, got {describe(raw)}")
        attrs[key] = value
    return attrs


def _load_outputs(ir: IRGraph, items: list) -> None:
    for k, item in enumerate(items):
        if not (isinstance(item, list) and len(item) == 2 and all(map(_is_str, item))):
            raise format_error(f"outputs[{k}] should be a [name, node id] pair, got {describe(item)}")
        name, nid = item
        if nid not in ir.node_map:
            raise format_error(f"output {name!r} refers to the unknown node {nid!r}")
        try:
            ir.set_output(name, nid)
        except GroggyJITError as e:
            raise format_error(f"outputs[{k}]: {e}") from None


def _check_structure(ir: IRGraph) -> None:
    for node in ir.nodes:                 # ids in the document must name its nodes
        for ref in ir.references(node):
            if ref not in ir.node_map:
                raise format_error(f"node {node.id} ({node.op}) refers to the unknown node {ref!r}")
    try:
        verify(ir)
    except GroggyJITError as e:
        raise format_error(f"the stored IR does not verify: {e}") from None
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, StopIteration) as e:
        raise format_error(f"the stored IR is inconsistent ({type(e).__name__}: {e})") from None


def _rebuild(ir: IRGraph, index_dtype: str, fused: bool) -> ExecutionPlan:
    """Steps, live ranges and slots of an optimized IR, as the plan generator builds them."""
    try:
        return build_plan(ir, ir.name, index_dtype, fused)
    except GroggyJITError as e:
        raise format_error(f"no plan can be built from the stored IR: {e}") from None
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, StopIteration) as e:
        raise format_error(f"no plan can be built from the stored IR ({type(e).__name__}: {e})") \
            from None
