"""The two schedules of a bucketed group (``plan/buckets.py``): its bucket, or every node.

At loop entry, unless pull is forced, one counting sort lists the nodes by key (the
key's values must span at most n, else every round runs dense).  Each round then
chooses: a bucket small next to n (or a forced push) runs on one thread over the
bucket's nodes only, in ascending order; the groups whose values it computes itself
are skipped.  Its new carried values go to a buffer first and are written after the
round's reads, so a node reading a neighbour's carry sees the value the round
started with, as in the dense loop.  A pulled round is the ordinary fused loop.
"""

from __future__ import annotations

from ..ir.lowering import NUMPY_DTYPE
from .abi import SCHEDULES
from .frontier import PUSH_ALPHA


def names(b: int) -> dict[str, str]:
    """The kernel locals of bucketed group ``b``."""
    keys = ("nodes", "start", "cursor", "ready", "low", "high", "values", "at", "on")
    return {key: f"bucket_{key}_{b}" for key in keys}


def _buffer(e, carry: str, b: int) -> str:
    return f"bucket_next_{e.plan.names[carry]}_{b}"


def setup(e, step, b: int) -> None:
    """Buffers at the top of the kernel: the nodes by key, bucket offsets, new values."""
    w, v = e.w, names(b)
    w.line(f"{v['nodes']} = np.empty(n, np.int64)")
    w.line(f"{v['start']} = np.empty(n + 1, np.int64)")
    w.line(f"{v['cursor']} = np.empty(n, np.int64)")
    for carry, _ in step.assigns:
        dtype = NUMPY_DTYPE[e.ir.node_map[carry].type.dtype]
        w.line(f"{_buffer(e, carry, b)} = np.empty(n, {dtype})")
    w.line(f"{v['ready']} = False")
    w.line(f"{v['low']} = 0")
    w.line(f"{v['high']} = 0")
    w.line(f"{v['values']} = 0")
    w.line(f"{v['on']} = False")
    w.line(f"{v['at']} = -1")


def _for(w, head: str, *body: str) -> None:
    w.line(f"for {head}:")
    with w.indent():
        for line in body:
            w.line(line)


def enter_loop(e, bucket, b: int) -> None:
    """Counting sort of the key (the loop never writes it): bucket p holds the nodes
    whose key is ``low + p``, at ``nodes[start[p]:start[p + 1]]``, ascending."""
    w, v = e.w, names(b)
    key, low, high, start = e.value_at(bucket.key, "j"), v["low"], v["high"], v["start"]
    w.line(f"{v['ready']} = False")
    w.line(f"if schedule != {SCHEDULES['pull']} and n > 0:")
    with w.indent():
        w.line(f"{low} = {e.value_at(bucket.key, '0')}")
        w.line(f"{high} = {low}")
        _for(w, "j in range(n)", f"{low} = min({low}, {key})", f"{high} = max({high}, {key})")
        # one count per key value must fit (a difference past 2**63 wraps negative)
        w.line(f"if 0 <= {high} - {low} < n:")
        with w.indent():
            w.line(f"{v['values']} = {high} - {low} + 1")
            _for(w, f"j in range({v['values']} + 1)", f"{start}[j] = 0")
            _for(w, "j in range(n)", f"{start}[{key} - {low} + 1] += 1")
            _for(w, f"j in range({v['values']})", f"{start}[j + 1] += {start}[j]",
                 f"{v['cursor']}[j] = {start}[j]")
            _for(w, "j in range(n)", f"bucket_p = {key} - {low}",
                 f"{v['nodes']}[{v['cursor']}[bucket_p]] = j", f"{v['cursor']}[bucket_p] += 1")
            w.line(f"{v['ready']} = True")


def _choose(e, bucket, v) -> None:
    """Bucketed or dense this round: the same answer for the group and the groups it
    computes itself (the first of them chooses)."""
    w = e.w
    w.line(f"{v['on']} = False")
    w.line(f"if {v['ready']}:")
    with w.indent():
        scalar = e.name(bucket.scalar)
        w.line(f"{v['at']} = -1  # no node has this key")
        w.line(f"if {v['low']} <= {scalar} <= {v['high']}:")
        with w.indent():
            w.line(f"{v['at']} = {scalar} - {v['low']}")
        w.line(f"bucket_size = 0 if {v['at']} < 0 else "
               f"{v['start']}[{v['at']} + 1] - {v['start']}[{v['at']}]")
        w.line(f"{v['on']} = schedule == {SCHEDULES['push']} or "
               f"bucket_size * {PUSH_ALPHA} < n")


def inlined_group(e, step, bucket, b: int) -> None:
    """A group whose values a bucketed round computes where it reads them."""
    v = names(b)
    if step.members[0] == bucket.inlined[0]:
        _choose(e, bucket, v)
    e.w.line(f"if not {v['on']}:")
    with e.w.indent():
        e.group(step)


def round_(e, step, bucket, b: int, row: int) -> None:
    """One round of the bucketed group: over its bucket's nodes, or over every node."""
    w, v = e.w, names(b)
    if not bucket.inlined:
        _choose(e, bucket, v)
    w.line(f"# bucketed loop: only the nodes where {e.plan.names[bucket.key]} == "
           f"{e.plan.names[bucket.scalar]} change")
    w.line(f"if {v['on']}:")
    with w.indent():
        w.line(f"loop_info[{row}, 2] += 1")
        w.line(f"if {v['at']} >= 0:")
        with w.indent():
            e.locals, e.inlined = set(step.members), set(bucket.inlined)
            first = f"{v['start']}[{v['at']}]"
            span = f"range({first}, {v['start']}[{v['at']} + 1])"
            w.line(f"for t in {span}:")
            with w.indent():
                w.line(f"i = np.uint64({v['nodes']}[t])")
                for m in step.members:
                    e.member(e.ir.node_map[m])
                for carry, nxt in step.assigns:
                    w.line(f"{_buffer(e, carry, b)}[t] = {e.element(nxt)}")
            w.line(f"for t in {span}:  # written after every read of the round")
            with w.indent():
                w.line(f"i = np.uint64({v['nodes']}[t])")
                for carry, _ in step.assigns:
                    w.line(f"{e.slot(carry)}[i] = {_buffer(e, carry, b)}[t]")
            e.locals, e.inlined = set(), set()
    w.line("else:")
    with w.indent():
        w.line(f"loop_info[{row}, 3] += 1")
        e.group(step)
