"""The two schedules of a frontier group (``plan/frontier.py``): push and pull.

Each round picks one.  *Pull* is the ordinary fused parallel loop over every node,
which also writes the new frontier as a list, chunk by chunk.  *Push* runs on one
thread (a small round wakes no threads): each frontier node offers its value along
its arcs into a per-target accumulator, then only the nodes reached (and the
frontier, if ``Frontier.visit_frontier``) run the rest of the group, and the new
frontier list is collected on the way, in one pass over the list and one over the
nodes touched.  The pull's reduction is order-free, or the push walks a sorted list
(``Frontier.sorted_list``), so both give the same bits.  The groups of the round
that ride on the list (``plan.frontier.Side``) take the same choice: in a pushed
round they run over the list, or not at all.

The choice is GAP's rule generalised: push while the frontier and its arcs are a
small share of the whole graph, ``(|F| + arcs(F)) * PUSH_ALPHA < n + m``; the
kernel argument ``schedule`` forces one (see ``abi.SCHEDULES``).
"""

from __future__ import annotations

from ..ir.lowering import EDGE_LISTS, NUMPY_DTYPE, literal
from ..ir.monoids import pull_reduction
from ..ir.ops import op_def, pull_operands
from ..ir.types import DType, Kind
from ..plan.liveness import storage_of
from ..plan.plan import CHUNKS
from . import marks
from . import ordered as ordered_schedule
from .abi import SCHEDULES
from .ordered import degree

PUSH_ALPHA = 15      # GAP's alpha: push while the frontier's work is under 1/15 of a dense round
PUSH_SERIAL_ARCS = 32768  # a push over fewer frontier arcs runs on one thread: waking the
                         # others costs more than the work (``kernels/bfs.py``'s SERIAL_ARCS)


def names(g: int) -> dict[str, str]:
    """The kernel locals of frontier group ``g``."""
    keys = ("list", "next", "touched", "acc", "best", "size", "arcs",
            "chunked", "chunk_size", "chunk_arcs", "pushed", "stale", "bits")
    return {**{key: f"frontier_{key}_{g}" for key in keys}, "marks": marks.name(g)}


def _value_dtype(ir, pull, x) -> DType:
    return DType.F64 if pull.attr("weight") else ir.node_map[x].type.dtype


def _append(e, frontier, buffer: str, count: str, arcs: str, node: str, at: str = "") -> None:
    """Add ``node`` to a frontier list (at offset ``at``), counting it and its arcs."""
    e.w.line(f"{buffer}[{at}{count}] = {node}")
    e.w.line(f"{count} += 1")
    e.w.line(f"{arcs} += {degree(frontier, node if node != 'j' else 'np.uint64(j)')}")


def setup(e, frontier, g: int) -> None:
    """Buffers at the top of the kernel: lists, marks and the per-target accumulator."""
    w, v = e.w, names(g)
    pull = e.ir.node_map[frontier.pull]
    for key in ("list", "next", "touched"):
        w.line(f"{v[key]} = np.empty(n, np.int64)")
    w.line(f"{v['marks']} = np.zeros(n, np.uint8)  # hit, seen, active: one bit each")
    w.line(f"{v['acc']} = np.empty(n, {NUMPY_DTYPE[pull.type.dtype]})")
    if _bitmap_source(e, frontier) is not None:
        w.line(f"{v['bits']} = np.empty((n + 63) >> 6, np.uint64)  # the pull's mask as bits")
    x = pull_operands(pull.inputs, pull.attr_dict)[0]
    needed = "n" if getattr(pull_reduction(pull.attr("reduce")), "better", "") else "0"
    w.line(f"{v['best']} = np.empty({needed}, {NUMPY_DTYPE[_value_dtype(e.ir, pull, x)]})"
           "  # argmin / argmax: the best value offered so far")
    w.line(f"{v['chunk_size']} = np.zeros({CHUNKS}, np.int64)")
    w.line(f"{v['chunk_arcs']} = np.zeros({CHUNKS}, np.int64)")
    w.line(f"{v['size']} = 0")
    w.line(f"{v['arcs']} = 0")
    w.line(f"{v['chunked']} = False")
    w.line(f"{v['pushed']} = False")
    if frontier.lazy_mask:
        w.line(f"{v['stale']} = False")
    ordered = e.plan.ordered_of(frontier)
    if ordered is not None:
        ordered_schedule.setup(e, ordered, g)


def enter_loop(e, frontier, g: int) -> None:
    """At loop entry the frontier list is unknown (size -1): unless pull is forced, one
    serial scan of the carried mask lists it (n bytes, cheaper than a first pull's
    n + m arcs), so the first round chooses like any other; a forced pull lists it
    as it goes."""
    w, v = e.w, names(g)
    w.line(f"{v['size']} = -1")
    w.line(f"{v['arcs']} = 0")
    w.line(f"{v['chunked']} = False")
    w.line(f"if schedule != {SCHEDULES['pull']}:")
    with w.indent():
        _list_mask(e, frontier, v)
    if frontier.lazy_mask:
        w.line(f"{v['stale']} = False")
    if e.plan.ordered_of(frontier) is not None:
        ordered_schedule.enter_loop(e, g)


def _list_mask(e, frontier, v) -> None:
    """The frontier list from one serial scan of the carried mask."""
    w = e.w
    w.line(f"{v['size']} = 0")
    w.line(f"{v['arcs']} = 0")
    w.line("for j in range(n):")
    with w.indent():
        w.line(f"if {e.slot(frontier.mask)}[j]:")
        with w.indent():
            _append(e, frontier, v["list"], v["size"], v["arcs"], "j")
    w.line(f"{v['chunked']} = False")


def round_(e, step, frontier, g: int, row: int) -> None:
    """One round of the group: choose, then push from the list or pull over all nodes."""
    w, v = e.w, names(g)
    w.line("# frontier loop: push from the frontier list or pull into every node")
    _choose(e, v)
    w.line(f"if {v['pushed']}:")
    with w.indent():
        w.line(f"loop_info[{row}, 2] += 1")
        _push(e, step, frontier, v, g)
    w.line("else:")
    with w.indent():
        w.line(f"loop_info[{row}, 3] += 1")
        if frontier.lazy_mask:         # pushed rounds left it stale: set it from the list
            mask = e.slot(frontier.mask)
            w.line(f"if {v['stale']}:")
            with w.indent():
                w.line(f"{mask}[:] = False")
                w.line(f"for t in range({v['size']}):")
                with w.indent():
                    w.line(f"{mask}[{v['list']}[t]] = True")
                w.line(f"{v['stale']} = False")
        source = _bitmap_source(e, frontier)
        if source is not None:
            _to_bitmap(e, source, v["bits"])
            e.bitmaps[frontier.pull] = v["bits"]
        e.group(step, ListWriter(e, frontier, v))
        e.bitmaps.pop(frontier.pull, None)
        if e.plan.ordered_of(frontier) is not None:
            ordered_schedule.after_pull(e, g)


def _bitmap_source(e, frontier) -> str | None:
    """The array of the pull's source mask, when a pulled round reads it as a bitmap: an
    unvisited node checks its neighbours' bits, and n/8 bytes stay in cache where n
    bools would not. None when the mask is not an array made before the group."""
    pull = e.ir.node_map[frontier.pull]
    x, mask, _ = pull_operands(pull.inputs, pull.attr_dict)
    mask = x if mask is None else mask
    if storage_of(e.ir, mask, e.arrays) is None or mask in dict(frontier.in_place) \
            or mask in e.plan.group_of(frontier.pull).members:
        return None
    return e.slot(mask)


def _to_bitmap(e, mask: str, bits: str) -> None:
    """``bits`` from the bool array ``mask``, 64 nodes a word, in parallel."""
    w = e.w
    w.line(f"for word in prange({bits}.shape[0]):")
    with w.indent():
        w.line("packed = np.uint64(0)")
        w.line("for b in range(min(64, n - 64 * word)):")
        with w.indent():
            w.line(f"if {mask}[64 * word + b]:")
            with w.indent():
                w.line("packed |= np.uint64(1) << np.uint64(b)")
        w.line(f"{bits}[word] = packed")


def _choose(e, v) -> None:
    """Push or pull this round: the same answer at every group of the round, as the
    list it looks at changes only in the frontier group."""
    e.w.line(f"{v['pushed']} = schedule == {SCHEDULES['push']} or (schedule == {SCHEDULES['auto']} "
             f"and {v['size']} >= 0 and ({v['size']} + {v['arcs']}) * {PUSH_ALPHA} < n + m)")


def side_round(e, step, side, g: int) -> None:
    """A group riding on a frontier's list (``plan.frontier.Side``): in a round that
    pushes, its reductions run over the list, or its values are left to the push;
    in a round that pulls it runs over every node."""
    w, v = e.w, names(g)
    _choose(e, v)
    if side.role == "inline":
        w.line(f"if not {v['pushed']}:")
        with w.indent():
            e.group(step)
        return
    ordered = e.plan.ordered_of(side.frontier)
    w.line(f"if {v['pushed']}:")
    with w.indent():
        if ordered is not None:       # from the buckets, or from a complete list
            w.line(f"if {ordered_schedule.names(g)['keyed']}:")
            with w.indent():
                ordered_schedule.lowest(e, ordered, g)
            w.line(f"elif not {ordered_schedule.names(g)['listed']}:")
            with w.indent():
                _list_mask(e, side.frontier, v)
                w.line(f"{ordered_schedule.names(g)['listed']} = True")
            w.line(f"if not {ordered_schedule.names(g)['keyed']}:")
            w.depth += 1
        _compact(e, v)
        e.locals = set(step.members)
        reductions = [m for m in step.members if e.ir.node_map[m].type.kind is Kind.SCALAR]
        for r in reductions:
            w.line(f"acc_{e.plan.names[r]} = {e._identity(e.ir.node_map[r])}")
        w.line(f"for t in range({v['size']}):")
        with w.indent():
            w.line(f"i = np.uint64({v['list']}[t])")
            for m in step.members:
                e.member(e.ir.node_map[m])
        for r in reductions:
            w.line(f"{e.plan.names[r]} = acc_{e.plan.names[r]}")
        e.locals = set()
        if ordered is not None:
            w.depth -= 1
    w.line("else:")
    with w.indent():
        e.group(step)


def _compact(e, v) -> None:
    """After a pull the list is one run of entries per chunk: make it one run."""
    w = e.w
    w.line(f"if {v['chunked']}:")
    with w.indent():
        w.line("push_at = 0")
        w.line(f"for c in range({CHUNKS}):")
        with w.indent():
            w.line(f"for t in range({v['chunk_size']}[c]):")
            with w.indent():
                w.line(f"{v['list']}[push_at] = {v['list']}[bounds[c] + t]")
                w.line("push_at += 1")
        w.line(f"{v['chunked']} = False")


class ListWriter:
    """Hooks of the pull loop: each chunk lists its new frontier nodes at its own offset."""

    def __init__(self, e, frontier, v):
        self.e, self.frontier, self.v = e, frontier, v

    def chunk_start(self) -> None:
        self.e.w.line("frontier_count = 0")
        self.e.w.line("frontier_arcs = 0")

    def node(self) -> None:
        w, v = self.e.w, self.v
        w.line(f"if {self.e.element(self.frontier.mask_next)}:")
        with w.indent():
            _append(self.e, self.frontier, v["list"], "frontier_count", "frontier_arcs", "i",
                    at="lo + ")

    def chunk_end(self) -> None:
        self.e.w.line(f"{self.v['chunk_size']}[c] = frontier_count")
        self.e.w.line(f"{self.v['chunk_arcs']}[c] = frontier_arcs")

    def done(self) -> None:
        _chunked_totals(self.e, self.v)


def _chunked_totals(e, v) -> None:
    w = e.w
    w.line(f"{v['size']} = 0")
    w.line(f"{v['arcs']} = 0")
    w.line(f"for c in range({CHUNKS}):")
    with w.indent():
        w.line(f"{v['size']} += {v['chunk_size']}[c]")
        w.line(f"{v['arcs']} += {v['chunk_arcs']}[c]")
    w.line(f"{v['chunked']} = True")


def _push(e, step, frontier, v, g: int) -> None:
    """Offer along the frontier's arcs: on one thread while they are few, else in two
    phases, as ``kernels/bfs.py``: every chunk of the list collects its offers in its
    own slice of a buffer in parallel (reads only), then one thread applies them in
    list order. Both give the same accumulators and the same touched order: the list's
    nodes first, then the nodes reached, so the touched pass meets each kind in one run
    (its branches stay predictable)."""
    w = e.w
    e.locals = set(step.members)
    _compact(e, v)
    e.inlined = e.plan.inlined(frontier)
    if frontier.visit_frontier:
        w.line("push_reached = 0  # the frontier and every node a push reaches, each once")
    else:
        w.line("push_reached = 0  # every node a push reaches, once")
    ordered = e.plan.ordered_of(frontier)
    walk = dict(v)                    # what the push walks: the list, or the active nodes
    if ordered is not None:
        ordered_schedule.choose_list(e, ordered, v, g)
        walk.update(list="push_list", size="push_size", arcs="push_arcs")
    if frontier.visit_frontier:
        w.line(f"for t in range({walk['size']}):")
        with w.indent():
            w.line(f"u = np.uint64({walk['list']}[t])")
            _visit_list_node(e, v)
    w.line(f"if {walk['arcs']} < {PUSH_SERIAL_ARCS}:")
    with w.indent():
        _serial_push(e, step, frontier, walk)
    w.line("else:")
    with w.indent():
        _parallel_push(e, step, frontier, walk)
    _touched_round(e, step, frontier, v, _offers(e, frontier)[1], g)
    e.locals = set()
    e.inlined = set()


def _offers(e, frontier):
    """``(reduction, identity literal, dtype of an offered value, argmin/argmax test)``."""
    pull = e.ir.node_map[frontier.pull]
    red = pull_reduction(pull.attr("reduce"))
    x = pull_operands(pull.inputs, pull.attr_dict)[0]
    x_dtype = _value_dtype(e.ir, pull, x)
    best = getattr(red, "better", "")
    offered = x_dtype if best else pull.type.dtype
    return red, literal(red.identity(x_dtype), pull.type.dtype), offered, best


def _visit_list_node(e, v) -> None:
    """A frontier node joins the touched list, once."""
    e.w.line(f"if not {marks.has(v['marks'], 'u', marks.SEEN)}:")
    with e.w.indent():
        e.w.line(marks.mark(v["marks"], "u", marks.SEEN))
        _touch(e.w, v, "u")


def _scan_arcs(e, step, frontier, offer) -> None:
    """For list node ``u``: its offered value along each arc to a node in ``at``."""
    w, ir = e.w, e.ir
    pull = ir.node_map[frontier.pull]
    x, _, at = pull_operands(pull.inputs, pull.attr_dict)
    indptr, indices, weights = EDGE_LISTS[frontier.push_arcs]
    if frontier.source_filter is not None:
        w.line(f"if not {e.value_at(frontier.source_filter, 'u')}:")
        with w.indent():
            w.line("continue")
    w.line(f"push_offered = {e.value_at(x, 'u')}")
    w.line(f"for k in range(np.uint64({indptr}[u]), np.uint64({indptr}[u + ONE])):")
    with w.indent():
        w.line(f"i = np.uint64({indices}[k])")
        if at is not None:
            for m in _cone(ir, step, at):
                w.line(f"{e.plan.names[m]} = {e.expression(ir.node_map[m], e.element)}")
            w.line(f"if not {e.element(at)}:")
            with w.indent():
                w.line("continue")
        value = "push_offered"
        if pull.attr("weight"):
            value = f"(push_offered {'*' if pull.attr('combine') == 'mul' else '+'} {weights}[k])"
        if pull.attr("reduce") == "sum" and _value_dtype(ir, pull, x) is DType.BOOL:
            value = f"np.int64({value})"
        if frontier.improves_on is not None:     # an offer that cannot beat it changes nothing
            w.line(f"push_offer = {value}")
            beaten = ">=" if pull.attr("reduce") == "min" else "<="
            w.line(f"if push_offer {beaten} {e.element(frontier.improves_on)}:")
            with w.indent():
                w.line("continue")
            value = "push_offer"
        offer(value)


def _offer(e, frontier, v, value: str) -> None:
    """Fold one offer from ``u`` into target ``i``'s accumulator; list ``i`` when new."""
    w = e.w
    red, identity, offered, best = _offers(e, frontier)
    w.line(f"if not {marks.has(v['marks'], 'i', marks.HIT)}:")
    with w.indent():
        if best:
            w.line(f"{v['acc']}[i] = {identity}")
            w.line(f"{v['best']}[i] = {literal(red.start(offered), offered)}")
        else:     # the first offer sets the accumulator: no identity to store and read back
            w.line(red.first_statement(f"{v['acc']}[i]", value))
        if frontier.visit_frontier:     # a frontier node is listed already
            w.line(f"if not {marks.has(v['marks'], 'i', marks.SEEN)}:")
            with w.indent():
                _touch(w, v)
            w.line(marks.mark(v["marks"], "i", marks.HIT | marks.SEEN))
        else:
            _touch(w, v)
            w.line(marks.mark(v["marks"], "i", marks.HIT))
    if not best:
        w.line("else:")
        with w.indent():
            w.line(red.update_statement(f"{v['acc']}[i]", value))
        return
    # argmin / argmax: ties to the smallest id, NaN never chosen: as the pull
    w.line(f"push_offer = {value}")
    w.line(f"if push_offer {best} {v['best']}[i] or (push_offer == {v['best']}[i] and "
           f"({v['acc']}[i] < 0 or np.int64(u) < {v['acc']}[i])):")
    with w.indent():
        w.line(f"{v['best']}[i] = push_offer")
        w.line(f"{v['acc']}[i] = np.int64(u)")


def _serial_push(e, step, frontier, v) -> None:
    w = e.w
    w.line(f"for t in range({v['size']}):")
    with w.indent():
        w.line(f"u = np.uint64({v['list']}[t])")
        _scan_arcs(e, step, frontier, lambda value: _offer(e, frontier, v, value))


def _parallel_push(e, step, frontier, v) -> None:
    w = e.w
    _, _, offered, best = _offers(e, frontier)
    # chunks of the list of about equal nodes + arcs; chunk c's offers start where its
    # first node's arcs do
    w.line(f"push_chunks = min({CHUNKS}, {v['size']})")
    w.line(f"push_start = np.empty({v['size']} + 1, np.int64)")
    w.line("push_start[0] = 0")
    w.line(f"for t in range({v['size']}):")
    with w.indent():
        arcs = degree(frontier, f"np.uint64({v['list']}[t])")
        w.line(f"push_start[t + 1] = push_start[t] + {arcs}")
    w.line(f"push_bounds = balanced_starts(push_start, {v['size']}, push_chunks)")
    w.line(f"push_node = np.empty(push_start[{v['size']}], np.int64)")
    w.line(f"push_value = np.empty(push_start[{v['size']}], {NUMPY_DTYPE[offered]})")
    if best:
        w.line(f"push_from = np.empty(push_start[{v['size']}], np.int64)")
    w.line("push_count = np.empty(push_chunks, np.int64)")
    w.line("for c in prange(push_chunks):")
    with w.indent():
        w.line("q = push_start[push_bounds[c]]")
        w.line("for t in range(push_bounds[c], push_bounds[c + 1]):")
        with w.indent():
            w.line(f"u = np.uint64({v['list']}[t])")

            def collect(value):
                w.line("push_node[q] = i")
                w.line(f"push_value[q] = {value}")
                if best:
                    w.line("push_from[q] = u")
                w.line("q += 1")
            _scan_arcs(e, step, frontier, collect)
        w.line("push_count[c] = q - push_start[push_bounds[c]]")
    w.line("for c in range(push_chunks):")
    with w.indent():
        w.line("first = push_start[push_bounds[c]]")
        w.line("for q in range(first, first + push_count[c]):")
        with w.indent():
            w.line("i = np.uint64(push_node[q])")
            if best:
                w.line("u = np.uint64(push_from[q])")
            _offer(e, frontier, v, "push_value[q]")


def _touch(w, v, node: str = "i") -> None:
    w.line(f"{v['touched']}[push_reached] = {node}")
    w.line("push_reached += 1")


def _touched_round(e, step, frontier, v, identity, g: int) -> None:
    """The rest of the group at the nodes reached and the frontier; the new frontier list
    (or, for an ordered frontier in a keyed round, the nodes filed in their buckets)."""
    w, ir, names_ = e.w, e.ir, e.plan.names
    ordered = e.plan.ordered_of(frontier)
    reductions = [m for m in step.members if ir.node_map[m].type.kind is Kind.SCALAR]
    for r in reductions:
        w.line(f"acc_{names_[r]} = {e._identity(ir.node_map[r])}")
    w.line("next_size = 0")
    w.line("next_arcs = 0")
    if ordered is not None:
        ordered_schedule.touched_start(e, g)
    w.line("for t in range(push_reached):")
    with w.indent():
        w.line(f"i = np.uint64({v['touched']}[t])")
        w.line(f"{marks.TOUCHED} = {v['marks']}[i]")
        w.line(f"{v['marks']}[i] = 0")
        if ordered is not None:
            ordered_schedule.touched_node(e, ordered, g)
        pull_name = names_[frontier.pull]
        if frontier.visit_frontier:
            w.line(f"{pull_name} = {v['acc']}[i] if {marks.TOUCHED} & np.uint8({marks.HIT}) "
                   f"else {identity}")
        else:
            w.line(f"{pull_name} = {v['acc']}[i]")
        for m in step.members:
            node = ir.node_map[m]
            if m == frontier.pull:
                continue
            rule = op_def(node.op).lower_member
            if rule is not None:
                rule(e, node)
            else:
                w.line(f"{names_[m]} = {e.expression(node, e.element)}")
        mask = e.slot(frontier.mask)
        # every node whose mask may change is visited here when the frontier is: the
        # mask is then written in place, else the old list clears it and the new sets it
        in_place = list(frontier.in_place)
        if frontier.visit_frontier:
            in_place.append((frontier.mask, frontier.mask_next))
        e.assigns(in_place)
        w.line(f"if {e.element(frontier.mask_next)}:")
        with w.indent():
            if ordered is None:
                _append(e, frontier, v["next"], "next_size", "next_arcs", "i")
            else:
                w.line("next_size += 1")
                w.line(f"next_arcs += {degree(frontier, 'i')}")
                ordered_schedule.touched_next(e, ordered, v, g)
    if ordered is not None:
        ordered_schedule.fold_waiting(e, ordered, v, g)
    for r in reductions:
        w.line(f"{names_[r]} = acc_{names_[r]}")
    if frontier.lazy_mask:
        w.line(f"{v['stale']} = True")
    elif not frontier.visit_frontier:
        for buffer, count, value in [(v["list"], v["size"], False), (v["next"], "next_size", True)]:
            w.line(f"for t in range({count}):")
            with w.indent():
                w.line(f"{mask}[{buffer}[t]] = {value}")
    if frontier.sorted_list:     # reached in discovery order; the next push needs ascending
        w.line(f"{v['next']}[:next_size].sort()")
    if ordered is not None:
        ordered_schedule.finish(e, v, g)
    else:
        w.line(f"{v['list']}, {v['next']} = swapped({v['list']}, {v['next']})")
        w.line(f"{v['size']} = next_size")
        w.line(f"{v['arcs']} = next_arcs")
    w.line(f"{v['chunked']} = False")


def _cone(ir, step, at) -> list[str]:
    """The group members ``at`` is computed from, in member order."""
    inside, need = set(step.members), set()

    def visit(i):
        if i in inside and i not in need:
            need.add(i)
            for j in ir.node_map[i].inputs:
                visit(j)
    visit(at)
    return [m for m in step.members if m in need]
