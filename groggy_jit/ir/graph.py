"""The IR container: a flat list of nodes, loops as regions, a nested schedule.

Nodes are immutable.  A loop node owns a *region*: the nodes whose ``region`` is
the loop's id form its body.  Body nodes read loop-carried values through
``carry`` nodes; code after the loop reads final values through ``loop_result``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Iterator

from ..errors import CycleError, IRError, KindError
from .ops import CARRY, op_def
from .types import DType, Type


@dataclass(frozen=True)
class Node:
    id: str
    op: str
    inputs: tuple[str, ...]
    attrs: tuple[tuple[str, Any], ...]
    type: Type
    region: str | None = None
    hint: str | None = field(default=None, compare=False)   # a readable name, not structure

    def attr(self, key: str, default: Any = None) -> Any:
        for k, v in self.attrs:
            if k == key:
                return v
        return default

    @property
    def attr_dict(self) -> dict[str, Any]:
        return dict(self.attrs)

    def with_attrs(self, **changes) -> "Node":
        """This node with some attributes set to new values."""
        return replace(self, attrs=freeze_attrs(self.attr_dict | changes))


@dataclass(frozen=True)
class Param:
    name: str
    dtype: DType
    default: Any
    node: bool = False          # a node id: checked against the graph, labels accepted
    per_node: bool = False      # one value per node: an array given at run time
    domain: str = ""            # name of its Domain (ir.domains), checked when binding
    pairs: bool = False         # a list of node pairs: a (k, 2) index array given at run time

# Checks an algorithm asks the executor to make on every graph before running.
REQUIREMENTS = ("nonnegative_weights", "undirected", "directed")


@dataclass
class Loop:
    """A loop in a schedule: its node and the schedule of its body."""
    node: Node
    body: list["Node | Loop"]


Schedule = list["Node | Loop"]


def freeze_attrs(attrs: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A node's attributes as it stores them: sorted (name, value) pairs."""
    return tuple(sorted(attrs.items()))


class IRGraph:
    """An algorithm as IR: nodes, parameters and named outputs."""

    def __init__(self, name: str):
        self.name = name
        self.nodes: list[Node] = []
        self.node_map: dict[str, Node] = {}
        self.params: dict[str, Param] = {}
        self.outputs: list[tuple[str, str]] = []
        self.requirements: set[str] = set()
        self._counter = 0

    # --- building --------------------------------------------------------------
    def new_id(self) -> str:
        self._counter += 1
        return f"%{self._counter}"

    def add(self, op: str, inputs=(), *, region: str | None = None, hint: str | None = None,
            type: Type | None = None, **attrs) -> Node:
        """Add a node, inferring its type from its (existing) inputs."""
        inputs = tuple(inputs)
        if type is None:
            type = self.infer_type(op, inputs, attrs)
        node = Node(self.new_id(), op, inputs, freeze_attrs(attrs), type, region, hint)
        self.add_node(node)
        return node

    def add_node(self, node: Node) -> Node:
        if node.id in self.node_map:
            raise IRError(f"node id {node.id} is used twice")
        if node.id.startswith("%") and node.id[1:].isdigit():   # keep new ids unique
            self._counter = max(self._counter, int(node.id[1:]))
        self.nodes.append(node)
        self.node_map[node.id] = node
        return node

    def replace_node(self, node: Node) -> None:
        """Swap in a new version of a node with the same id."""
        old = self.node_map[node.id]
        self.nodes[self.nodes.index(old)] = node
        self.node_map[node.id] = node

    def replace_uses(self, old: str, new: str, within: set[str] | None = None) -> None:
        """Make every reader of ``old`` (or only the nodes in ``within``) read ``new``."""
        def swap(x):
            return new if x == old else x
        for node in list(self.nodes):
            if within is not None and node.id not in within:
                continue
            attrs = node.attr_dict
            if op_def(node.op).region:
                attrs["carries"] = tuple(swap(x) for x in attrs["carries"])
                attrs["stop"] = swap(attrs["stop"])
                attrs["residual"] = swap(attrs["residual"])
            inputs = tuple(swap(x) for x in node.inputs)
            if inputs != node.inputs or attrs != node.attr_dict:
                self.replace_node(replace(node, inputs=inputs, attrs=freeze_attrs(attrs)))
        if within is None:
            self.outputs = [(name, swap(x)) for name, x in self.outputs]

    def remove(self, ids: set[str]) -> None:
        self.nodes = [n for n in self.nodes if n.id not in ids]
        for i in ids:
            del self.node_map[i]

    def infer_type(self, op: str, inputs: tuple[str, ...], attrs: dict) -> Type:
        definition = op_def(op)
        if definition.arity >= 0 and len(inputs) != definition.arity:
            raise IRError(f"{op} takes {definition.arity} inputs, got {len(inputs)}")
        missing = [k for k in definition.attrs if k not in attrs]
        if missing:
            raise IRError(f"{op} needs attribute(s) {', '.join(missing)}")
        types = tuple(self.node_map[i].type for i in inputs)
        try:
            return definition.infer(types, attrs)
        except KindError as e:
            raise KindError(f"{op}: {e}") from None

    def add_param(self, name: str, dtype: DType, default: Any, node: bool = False,
                  per_node: bool = False, domain: str = "", pairs: bool = False) -> Node:
        if name in self.params:
            raise IRError(f"parameter {name!r} declared twice")
        if pairs and any(p.pairs for p in self.params.values()):
            raise IRError(f"parameter {name!r}: an algorithm takes at most one pair list")
        self.params[name] = Param(name, dtype, default, node, per_node, domain, pairs)
        op = "pair_param" if pairs else "node_param" if per_node else "param"
        return self.add(op, name=name, dtype=dtype.value, hint=name)

    def set_output(self, name: str, node_id: str) -> None:
        if any(n == name for n, _ in self.outputs):
            raise IRError(f"output {name!r} attached twice")
        if self.node_map[node_id].region is not None:
            raise IRError(f"output {name!r} is computed inside a loop and only exists there; "
                          "to use it after the loop, assign it before the loop and reassign "
                          "it inside, so it is carried")
        self.outputs.append((name, node_id))

    # --- queries ---------------------------------------------------------------
    def get_dependencies(self, node_id: str) -> tuple[str, ...]:
        """Ids a node reads directly (inputs, and for a loop its carried next values, stop
        and residual)."""
        node = self.node_map[node_id]
        if not op_def(node.op).region:
            return node.inputs
        tests = tuple(x for x in (node.attr("stop"), node.attr("residual")) if x)
        return node.inputs + tuple(node.attr("carries")) + tests

    def references(self, node: Node) -> list[str]:
        """Every id ``node`` names: its dependencies, its region and a carry's loop."""
        refs = list(self.get_dependencies(node.id)) + [node.region] * (node.region is not None)
        if op_def(node.op).storage == CARRY:
            refs.append(node.attr("loop"))
        return refs

    def users(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {n.id: [] for n in self.nodes}
        for n in self.nodes:
            for d in self.get_dependencies(n.id):
                if d in out:
                    out[d].append(n.id)
        for _, nid in self.outputs:
            out[nid].append("<output>")
        return out

    def region_chain(self, node_id: str) -> list[str | None]:
        """Regions enclosing a node, innermost first, ending with None (top level)."""
        chain = []
        region = self.node_map[node_id].region
        while region is not None:
            chain.append(region)
            region = self.node_map[region].region
        chain.append(None)
        return chain

    def loops(self) -> list[Node]:
        """Loop nodes, in creation order (the order loop reports follow)."""
        return [n for n in self.nodes if op_def(n.op).region]

    def carries(self, loop_id: str) -> list[tuple[Node, Node]]:
        """(carry, next) node pairs of a loop, in carry order."""
        loop = self.node_map[loop_id]
        carry_nodes = sorted((n for n in self.nodes if op_def(n.op).storage == CARRY
                              and n.attr("loop") == loop_id), key=lambda n: n.attr("index"))
        return [(c, self.node_map[nxt]) for c, nxt in zip(carry_nodes, loop.attr("carries"))]

    def carry_of(self, result: Node) -> Node:
        """The carry whose final value a loop result reads."""
        return next(c for c, _ in self.carries(result.inputs[0])
                    if c.attr("index") == result.attr("index"))

    # --- ordering --------------------------------------------------------------
    def _level(self, node_id: str, region: str | None) -> str | None:
        """The node (or enclosing loop) that stands for ``node_id`` inside ``region``."""
        current = node_id
        while True:
            node = self.node_map.get(current)
            if node is None:
                raise IRError(f"reference to unknown node {current}")
            if node.region == region:
                return current
            if node.region is None:
                return None                  # defined outside this region: already available
            current = node.region

    def schedule(self, region: str | None = None) -> Schedule:
        """Topological order of a region, loops nested, ties broken by creation order."""
        members = [n for n in self.nodes if n.region == region]
        position = {n.id: i for i, n in enumerate(members)}
        deps: dict[str, set[str]] = {n.id: set() for n in members}
        for n in self.nodes:
            if n.region is None and region is not None:
                continue
            owner = self._level(n.id, region) if n.id not in deps else n.id
            if owner is None:
                continue
            for d in self.get_dependencies(n.id):
                target = self._level(d, region)
                # A body value read by its own loop is internal; a node reading itself is a cycle.
                if target is not None and (target != owner or d == n.id):
                    deps[owner].add(target)
        order = self._toposort(members, deps, position)
        return [Loop(n, self.schedule(n.id)) if op_def(n.op).region else n for n in order]

    def _toposort(self, members, deps, position) -> list[Node]:
        indegree = {nid: len(ds) for nid, ds in deps.items()}
        users: dict[str, list[str]] = {nid: [] for nid in deps}
        for nid, ds in deps.items():
            for d in ds:
                users[d].append(nid)
        import heapq
        ready = [position[nid] for nid, k in indegree.items() if k == 0]
        heapq.heapify(ready)
        out = []
        while ready:
            node = members[heapq.heappop(ready)]
            out.append(node)
            for u in users[node.id]:
                indegree[u] -= 1
                if indegree[u] == 0:
                    heapq.heappush(ready, position[u])
        if len(out) != len(members):
            raise CycleError(self._describe_cycle(deps, {n.id for n in out}))
        return out

    def _describe_cycle(self, deps, done) -> str:
        start = next(nid for nid in deps if nid not in done)
        path, seen = [start], {start}
        while True:
            nxt = next(d for d in sorted(deps[path[-1]]) if d not in done)
            if nxt in seen:
                cycle = path[path.index(nxt):] + [nxt]
                text = " -> ".join(f"{c} ({self.node_map[c].op})" for c in cycle)
                return (f"the IR of {self.name!r} has a dependency cycle: {text}; "
                        "a value cannot depend on itself except through a loop carry (var())")
            path.append(nxt)
            seen.add(nxt)

    def flat_schedule(self) -> Iterator[Node]:
        """Every node in schedule order, a loop before its body."""
        def walk(items):
            for item in items:
                if isinstance(item, Loop):
                    yield item.node
                    yield from walk(item.body)
                else:
                    yield item
        return walk(self.schedule())

    # --- printing and hashing --------------------------------------------------
    def names(self) -> dict[str, str]:
        """Print-time names in schedule order: stable, independent of node ids."""
        return {n.id: f"v{i}" for i, n in enumerate(self.flat_schedule())}

    def pretty(self, with_hints: bool = True) -> str:
        names = self.names()

        def ref(x):
            return names.get(x, x) if isinstance(x, str) and x.startswith("%") else x

        def fmt_attr(k, v):
            if k == "carries":
                v = "(" + ", ".join(ref(x) for x in v) + ")"
            elif k in ("stop", "residual", "loop"):
                v = ref(v)
            return f"{k}={v}"

        params = ", ".join(f"{p.name}: {p.dtype.value} = {p.default!r}"
                           for p in sorted(self.params.values(), key=lambda p: p.name))
        lines = [f"algorithm {self.name}({params})" if with_hints else f"algorithm({params})"]

        def emit(items, depth):
            for item in items:
                node = item.node if isinstance(item, Loop) else item
                args = " ".join(ref(i) for i in node.inputs)
                attrs = " ".join(fmt_attr(k, v) for k, v in node.attrs if k != "type")
                text = " ".join(x for x in (node.op, args, attrs) if x)
                hint = f"  # {node.hint}" if with_hints and node.hint else ""
                lines.append(f"{'  ' * depth}{names[node.id]}: {node.type} = {text}{hint}")
                if isinstance(item, Loop):
                    emit(item.body, depth + 1)

        emit(self.schedule(), 1)
        outs = ", ".join(f"{name}={names[nid]}" for name, nid in self.outputs)
        lines.append(f"  return {outs}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.pretty()

    def structural_hash(self) -> str:
        """sha256 of the IR's structure: no names, ids, hints or parameter defaults."""
        text = "\n".join(self.pretty(with_hints=False).splitlines()[1:])
        params = ",".join(f"{p.name}:{p.dtype.value}{':node' if p.node else ''}"
                          f"{':per_node' if p.per_node else ''}{':pairs' if p.pairs else ''}"
                          for p in sorted(self.params.values(), key=lambda p: p.name))
        params += "|" + ",".join(sorted(self.requirements))
        return hashlib.sha256((params + "\n" + text).encode()).hexdigest()

    def copy(self) -> "IRGraph":
        new = IRGraph(self.name)
        new.nodes = list(self.nodes)
        new.node_map = dict(self.node_map)
        new.params = dict(self.params)
        new.outputs = list(self.outputs)
        new.requirements = set(self.requirements)
        new._counter = self._counter
        return new
