"""Plan serialization: exact JSON and binary round trips, constants, and refusing bad input."""

import ast
import dataclasses
import inspect
import json
import math
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import groggy_jit as gj
from groggy_jit.algorithms import REGISTRY
from groggy_jit.codegen.emit import generate_source
from groggy_jit.errors import GroggyJITError, PlanFormatError
from groggy_jit.ir.graph import Node
from groggy_jit.ir.types import Type
from groggy_jit.plan import serialize
from groggy_jit.plan.serialize import (MAGIC, SERIALIZATION_VERSION, constants_table,
                                       plan_from_bytes, plan_from_json, plan_to_bytes,
                                       plan_to_json)

ALGORITHMS = list(REGISTRY.values())
FORMATS = {"json": (plan_to_json, plan_from_json), "binary": (plan_to_bytes, plan_from_bytes)}


def assert_same_plan(loaded, plan):
    assert loaded.plan_hash == plan.plan_hash
    assert str(loaded) == str(plan)
    assert generate_source(loaded).text == generate_source(plan).text
    assert loaded.ir.pretty() == plan.ir.pretty()
    assert loaded.slot_of == plan.slot_of and loaded.fused == plan.fused
    assert loaded.index_dtype == plan.index_dtype and loaded.num_loops == plan.num_loops
    assert {p.name: p for p in loaded.params} == {p.name: p for p in plan.params}


# --- round trips -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("algo", ALGORITHMS, ids=lambda a: a.name)
def test_catalogue_plans_round_trip_exactly(algo, fmt):
    dump, load = FORMATS[fmt]
    for plan in (algo.plan, gj.compile_to_batch(algo, opt_level=0),
                 gj.compile_to_batch(algo, index_dtype="int64")):
        data = dump(plan)
        loaded = load(data)
        assert_same_plan(loaded, plan)
        assert dump(loaded) == data                    # deterministic, and a fixed point


def test_unfused_and_fused_plans_are_stored_apart():
    fused = json.loads(plan_to_json(gj.pagerank.plan))
    unfused = json.loads(plan_to_json(gj.compile_to_batch(gj.pagerank, opt_level=0)))
    assert fused["fused"] is True and unfused["fused"] is False
    assert fused["plan_hash"] != unfused["plan_hash"]


def test_document_records_versions_and_inspection_data():
    plan = gj.pagerank.plan
    doc = json.loads(plan_to_json(plan, indent=2))
    assert doc["version"] == SERIALIZATION_VERSION
    assert doc["plan_format_version"] == gj.plan.plan.PLAN_FORMAT_VERSION
    assert doc["name"] == "pagerank" and doc["index_dtype"] == "int32"
    assert doc["plan_hash"] == plan.plan_hash
    assert [p["name"] for p in doc["params"]] == list(plan.ir.params)
    assert len(doc["slots"]) == len(plan.slots)
    assert doc["slot_of"] == plan.slot_of
    assert any(step["step"] == "LoopStep" for step in doc["steps"])


def test_binary_form_is_compact_and_framed():
    plan = gj.pagerank.plan
    data = plan_to_bytes(plan)
    assert data.startswith(MAGIC)
    assert len(data) < len(plan_to_json(plan).encode()) / 2
    (crc,) = struct.unpack(">I", data[-4:])
    assert crc == zlib.crc32(data[:-4])


def test_loaded_ir_accepts_new_nodes():
    loaded = plan_from_json(plan_to_json(gj.pagerank.plan))
    assert loaded.ir.new_id() not in loaded.ir.node_map


# --- constants -------------------------------------------------------------------------------

def test_pagerank_constants_table():
    plan = gj.pagerank.plan
    table = constants_table(plan)
    assert (1.0, "f64") in table and (0.0, "f64") in table
    assert len(table) == len({(repr(v), d) for v, d in table}), "each constant listed once"
    consts = [n for n in plan.ir.nodes if n.op == "const"]
    assert {(n.attr("value"), n.attr("dtype")) for n in consts} == set(table)
    doc = json.loads(plan_to_json(plan))
    assert doc["constants"] == [[v, d] for v, d in table]
    for node in doc["nodes"]:
        if node["op"] == "const":
            assert node["attrs"] == []                 # the value lives in the table only
            value, dtype = table[node["const"]]
            original = plan.ir.node_map[node["id"]]
            assert (original.attr("value"), original.attr("dtype")) == (value, dtype)


def test_special_floats_and_parameter_defaults_survive():
    @gj.algorithm
    def specials(sG, cap=float("inf"), floor=-1.5):
        x = sG.nodes(1.0)
        y = (x > 0).where(float("nan"), float("-inf"))
        z = (x < cap).where(y, -0.0)
        return (z > floor).where(z, float("inf"))

    plan = specials.plan
    for dump, load in FORMATS.values():
        loaded = load(dump(plan))
        assert_same_plan(loaded, plan)
        assert loaded.ir.params["cap"].default == math.inf
    table = constants_table(plan)
    floats = [v for v, d in table if d == "f64"]
    assert any(math.isnan(v) for v in floats)
    assert math.inf in floats and -math.inf in floats
    zeros = [v for v in floats if v == 0.0]
    assert [math.copysign(1.0, v) for v in zeros].count(-1.0) == 1, "-0.0 kept apart from 0.0"
    assert "Infinity" not in plan_to_json(plan) and "NaN" not in plan_to_json(plan)


def test_tuples_none_and_type_attributes_round_trip():
    plan = gj.label_propagation.plan
    ir = plan.ir.copy()
    result = next(n for n in ir.nodes if n.op == "loop_result")
    tagged = Node(result.id, result.op, result.inputs,
                  tuple(sorted(result.attrs + (("type", result.type),))), result.type,
                  result.region, result.hint)
    ir.replace_node(tagged)
    plan = dataclasses.replace(plan, ir=ir)
    loaded = plan_from_bytes(plan_to_bytes(plan))
    node = loaded.ir.node_map[result.id]
    assert node.attr("type") == result.type and isinstance(node.attr("type"), Type)
    loop = next(n for n in loaded.ir.nodes if n.op == "loop")
    assert isinstance(loop.attr("carries"), tuple) and loop.attr("stop") is None
    assert_same_plan(loaded, plan)


def test_loading_never_unpickles_or_evaluates():
    tree = ast.parse(inspect.getsource(serialize))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"pickle", "marshal", "shelve", "dill", "cloudpickle"}
    called = {node.func.id for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert not called & {"eval", "exec", "compile", "__import__"}


# --- malformed JSON --------------------------------------------------------------------------

def _doc():
    return json.loads(plan_to_json(gj.pagerank.plan))


def _node(doc, op, k=0):
    return [n for n in doc["nodes"] if n["op"] == op][k]


def _set(path_fn):
    def mutate():
        doc = _doc()
        path_fn(doc)
        return json.dumps(doc)
    return mutate


def _replace_node_input(doc):
    n = _node(doc, "pull")
    n["inputs"][0] = "%999"


def _make_cycle(doc):
    first, second = _node(doc, "div"), _node(doc, "fill")     # 1/n feeds fill
    first["inputs"][0] = second["id"]


MALFORMED_JSON = {
    "not json": (lambda: "{not json", "not valid JSON"),
    "empty": (lambda: "", "not valid JSON"),
    "array at top": (lambda: "[1, 2]", "top level should be a JSON object"),
    "NaN literal": (lambda: plan_to_json(gj.pagerank.plan).replace('"version":1', '"version":NaN'),
                    "NaN, which is not valid JSON"),
    "duplicate key": (lambda: '{"format": 1, "format": 2}', "appears twice"),
    "not a plan": (_set(lambda d: d.update(format="something else")), "not a groggy-jit plan"),
    "future version": (_set(lambda d: d.update(version=SERIALIZATION_VERSION + 1)),
                       "upgrade groggy-jit"),
    "version is a string": (_set(lambda d: d.update(version="1")),
                            "unknown serialization version"),
    "old plan format": (_set(lambda d: d.update(plan_format_version=0)), "plan format version 0"),
    "missing key": (_set(lambda d: d.pop("nodes")), "'nodes' are missing"),
    "extra key": (_set(lambda d: d.update(surprise=1)), "unexpected key.*surprise"),
    "bad index dtype": (_set(lambda d: d.update(index_dtype="int16")), "index_dtype should be"),
    "fused not bool": (_set(lambda d: d.update(fused="yes")), "fused should be true or false"),
    "unknown op": (_set(lambda d: _node(d, "abs").update(op="frobnicate")),
                   "'frobnicate', which this groggy-jit does not know"),
    "inputs not a list": (_set(lambda d: _node(d, "abs").update(inputs="%1")),
                          "inputs should be an array of node ids"),
    "dangling input": (_set(_replace_node_input), "unknown node '%999'"),
    "dangling output": (_set(lambda d: d.update(outputs=[["result", "%404"]])),
                        "output 'result' refers to the unknown node '%404'"),
    "dangling region": (_set(lambda d: _node(d, "abs").update(region="%777")),
                        "unknown node '%777'"),
    "duplicate node id": (_set(lambda d: d["nodes"].append(d["nodes"][0])), "used twice"),
    "bad value type": (_set(lambda d: _node(d, "abs").update(type="node[f32]")),
                       "not a value type"),
    "ill-typed node": (_set(lambda d: _node(d, "abs").update(type="node[bool]")),
                       "does not verify"),
    "cycle": (_set(_make_cycle), "cycle"),
    "bad pull direction": (_set(lambda d: _node(d, "pull")["attrs"].__setitem__(
        0, ["over", "sideways"])), "over should be one of in, out, both"),
    "unknown tagged value": (_set(lambda d: _node(d, "loop")["attrs"].__setitem__(
        0, ["carries", {"set": ["%1"]}])), "not a stored value"),
    "const index out of range": (_set(lambda d: _node(d, "const").update({"const": 99})),
                                 "constants table has"),
    "const value of wrong dtype": (_set(lambda d: d["constants"].__setitem__(
        0, ["one", "f64"])), r"constants\[0\] is a string"),
    "overflowing float": (lambda: plan_to_json(gj.pagerank.plan).replace(
        '[1.0,"f64"]', '[1e999,"f64"]'), "non-finite number"),
    "undeclared parameter": (_set(lambda d: d["params"].pop(0)),
                             "does not match a declared parameter"),
    "edited constant": (_set(lambda d: d["constants"].__setitem__(
        [c[0] for c in d["constants"]].index(1.0), [2.0, "f64"])), "plan hash does not match"),
    "edited hash": (_set(lambda d: d.update(plan_hash="0" * 64)), "plan hash does not match"),
    "edited steps": (_set(lambda d: d["steps"].reverse()), "stored steps differ"),
    "edited slots": (_set(lambda d: d["slots"].pop()), "stored slots differ"),
}


@pytest.mark.parametrize("case", MALFORMED_JSON)
def test_malformed_json_is_refused_with_a_clear_message(case):
    make, pattern = MALFORMED_JSON[case]
    text = make()
    with pytest.raises(PlanFormatError, match=pattern) as info:
        plan_from_json(text)
    message = str(info.value)
    assert message.startswith("cannot load plan: ")
    assert any(w in message for w in ("regenerate", "recompile", "upgrade", "check")), message
    assert isinstance(info.value, GroggyJITError) and isinstance(info.value, ValueError)


def test_json_loader_rejects_non_text():
    with pytest.raises(PlanFormatError, match="expected JSON text"):
        plan_from_json(42)


# --- malformed binary ------------------------------------------------------------------------

def _frame(payload: bytes, version: int = SERIALIZATION_VERSION) -> bytes:
    head = MAGIC + struct.pack(">HI", version, len(payload)) + payload
    return head + struct.pack(">I", zlib.crc32(head))


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x10]) + data[at + 1:]


GOOD = plan_to_bytes(gj.pagerank.plan)
MALFORMED_BINARY = {
    "wrong magic": (b"NOTAPLAN" + GOOD[8:], "does not start with"),
    "json given": (plan_to_json(gj.pagerank.plan).encode(), "looks like JSON"),
    "only magic": (MAGIC, "truncated"),
    "truncated": (GOOD[:-10], "truncated"),
    "trailing bytes": (GOOD + b"\0", "unexpected byte"),
    "corrupted payload": (_flip(GOOD, 40), "checksum mismatch"),
    "corrupted checksum": (_flip(GOOD, len(GOOD) - 1), "checksum mismatch"),
    "future version": (_frame(zlib.compress(b"{}"), SERIALIZATION_VERSION + 1),
                       "upgrade groggy-jit"),
    "version zero": (_frame(zlib.compress(b"{}"), 0), "unknown serialization version"),
    "not zlib": (_frame(b"plain bytes"), "cannot be decompressed"),
    "incomplete zlib": (_frame(zlib.compress(b"{}" * 100)[:-3]), "incomplete"),
    "not utf-8": (_frame(zlib.compress(b"\xff\xfe{}")), "not UTF-8"),
    "bad json inside": (_frame(zlib.compress(b"{")), "not valid JSON"),
}


@pytest.mark.parametrize("case", MALFORMED_BINARY)
def test_malformed_binary_is_refused_with_a_clear_message(case):
    data, pattern = MALFORMED_BINARY[case]
    with pytest.raises(PlanFormatError, match=pattern):
        plan_from_bytes(data)


def test_oversized_payload_is_refused(monkeypatch):
    monkeypatch.setattr(serialize, "_MAX_JSON_BYTES", 1000)
    with pytest.raises(PlanFormatError, match="decompresses to more than 1000 bytes"):
        plan_from_bytes(_frame(zlib.compress(b" " * 1001)))


def test_binary_loader_rejects_text():
    with pytest.raises(PlanFormatError, match="expected bytes"):
        plan_from_bytes(plan_to_json(gj.pagerank.plan))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flips=st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(1, 255)),
                      min_size=1, max_size=4))
def test_byte_flips_never_load_silently_wrong(flips):
    data = bytearray(GOOD)
    for at, mask in flips:
        data[at] ^= mask
    try:
        loaded = plan_from_bytes(bytes(data))
    except PlanFormatError:
        return
    assert bytes(data) == GOOD, "a changed file loaded without an error"
    assert_same_plan(loaded, gj.pagerank.plan)


TEXT = plan_to_json(gj.pagerank.plan)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.integers(0, len(TEXT) - 1),
                                st.sampled_from('{}[]",:0123456789.-%eEtfnul abcxyz\\')),
                      min_size=1, max_size=3))
def test_edited_json_is_refused_or_structurally_identical(edits):
    """Past the checksum, every layer still refuses bad input with PlanFormatError only."""
    text = list(TEXT)
    for at, char in edits:
        text[at] = char
    text = "".join(text)
    try:
        loaded = plan_from_bytes(_frame(zlib.compress(text.encode())))
    except PlanFormatError:
        return
    assert loaded.plan_hash == gj.pagerank.plan.plan_hash
    generate_source(loaded)
