"""How structural ops lower to kernel source; the op table names each op's rule here.

A rule gets the code generator ``e`` (``codegen.emit.KernelEmitter``), which
supplies the generic pieces: ``e.w`` writes lines, ``e.element(v)`` is a value
at the current element, ``e.value_at(v, position)`` a value at another node,
``e.slot(v)`` a value's array, ``e.name(v)`` a scalar, ``e.neighbour_loops``
and ``e.chunked`` the loops over arcs and node chunks.  Rules are plain
functions so that this module imports nothing from codegen.
"""

from __future__ import annotations

import math

from .types import MISSING, DType, Kind

NUMPY_DTYPE = {DType.F64: "np.float64", DType.I64: "np.int64", DType.BOOL: "np.bool_"}
EDGE_LISTS = {"in": ("in_indptr", "in_indices", "in_weights"),
              "out": ("out_indptr", "out_indices", "out_weights")}


def literal(value, dtype: DType) -> str:
    if dtype is DType.BOOL:
        return repr(bool(value))
    if dtype is DType.I64:
        value = int(value)
        return f"({value + 1} - 1)" if value == -(2**63) else repr(value)
    value = float(value)
    if math.isnan(value):
        return "np.nan"
    if math.isinf(value):
        return "np.inf" if value > 0 else "-np.inf"
    return repr(value)


# --- expressions at the current element -----------------------------------------------------

def degree(over: str) -> str:
    def one(indptr):
        return f"np.int64({indptr}[i + ONE] - {indptr}[i])"
    if over == "both":
        return f"({one('in_indptr')} + ({one('out_indptr')} if directed else 0))"
    return one(EDGE_LISTS[over][0])


# --- statements inside a fused loop -------------------------------------------------------------

def gather(e, node) -> None:
    name = e.plan.names[node.id]
    index = e.element(node.inputs[1])
    missing = literal(MISSING[node.type.dtype], node.type.dtype)
    e.w.line(f"at_{name} = {index}")
    e.w.line(f"{name} = {e.value_at(node.inputs[0], f'at_{name}')} "
             f"if 0 <= at_{name} < n else {missing}")


def chunk_reduce(e, node, red) -> None:
    """Fold the element into this chunk's accumulator (combined after the loop)."""
    e.w.line(red.update_statement(f"acc_{e.plan.names[node.id]}", e.element(node.inputs[0])))


def accumulate_pull(e, node, red) -> None:
    """A pull whose reduction is a running accumulator (sum, min, max, any, all, count, mean)."""
    w, name = e.w, e.plan.names[node.id]
    how = red.name
    if red.needs_count:
        w.line(f"{name} = 0.0")
        w.line(f"count_{name} = 0")

        def body(value, _):
            w.line(f"{name} += {value}")
            w.line(f"count_{name} += 1")
        e.neighbour_loops(node, body)
        w.line(f"{name} = np.divide({name}, count_{name})")
        return
    x_dtype = DType.F64 if node.attr("weight") else e.input_dtype(node)
    w.line(f"{name} = {literal(red.identity(x_dtype), red.result(x_dtype))}")
    cast = how == "sum" and x_dtype is DType.BOOL
    first_is_smallest = (how == "min" and not node.attr("weight")
                         and node.attr("over") != "both" and e.is_node_index(node.inputs[0]))

    def body(value, _):
        # Stop at the first arc that decides the result: a true value for "any", a
        # false one for "all", and for the smallest neighbour id the first neighbour
        # (neighbour lists are sorted).
        if how in ("any", "all"):
            w.line(f"if {value} {'!=' if how == 'any' else '=='} 0:")
            with w.indent():
                w.line(f"{name} = {how == 'any'}")
                w.line("break")
        elif first_is_smallest:
            w.line(f"{name} = {value}")
            w.line("break")
        else:
            w.line(red.update_statement(name, f"np.int64({value})" if cast else value))
    e.neighbour_loops(node, body)


def best_neighbour_pull(e, node, red) -> None:
    """argmin / argmax: the neighbour whose value is ``red.better`` than all others; ties
    to the smallest id, NaN never chosen, -1 without neighbours."""
    w, name = e.w, e.plan.names[node.id]
    x_dtype = DType.F64 if node.attr("weight") else e.input_dtype(node)
    best = f"best_{name}"
    w.line(f"{name} = -1")
    w.line(f"{best} = {literal(red.start(x_dtype), x_dtype)}")

    def body(value, neighbour):
        w.line(f"value_{name} = {value}")
        w.line(f"if value_{name} {red.better} {best} or (value_{name} == {best} and "
               f"({name} < 0 or {neighbour} < {name})):")
        with w.indent():
            w.line(f"{best} = value_{name}")
            w.line(f"{name} = {neighbour}")
    e.neighbour_loops(node, body)


def mode_pull(e, node, red) -> None:
    """The most frequent neighbour value, ties to the smallest, the node's own without any:
    the values go to a per-node window of a scratch array, which is sorted and scanned."""
    w, name = e.w, e.plan.names[node.id]
    over = node.attr("over")
    own = e.element(node.inputs[0])
    buf, count, run, best = f"scratch_{name}", f"count_{name}", f"run_{name}", f"best_{name}"
    start = "in_indptr[i] + out_indptr[i]" if over == "both" else f"{EDGE_LISTS[over][0]}[i]"
    w.line(f"start_{name} = {start}")
    w.line(f"{count} = 0")

    canonical = " + 0.0" if node.type.dtype is DType.F64 else ""   # -0.0 counts as 0.0

    def body(value, _):
        w.line(f"{buf}[start_{name} + {count}] = {value}{canonical}")
        w.line(f"{count} += 1")
    e.neighbour_loops(node, body)
    w.line(f"{name} = {own}{canonical}  # no neighbours: keep the node's own value")
    w.line(f"if {count} > 0:")
    with w.indent():
        w.line(f"window_{name} = {buf}[start_{name}:start_{name} + {count}]")
        w.line(f"window_{name}.sort()")
        w.line(f"{name} = window_{name}[0]")
        w.line(f"{best} = 1")
        w.line(f"{run} = 1")
        w.line(f"for j in range(1, {count}):")
        with w.indent():
            same = f"window_{name}[j] == window_{name}[j - 1]"
            if node.type.dtype is DType.F64:                 # NaNs count as one value
                same = (f"{same} or (window_{name}[j] != window_{name}[j] "
                        f"and window_{name}[j - 1] != window_{name}[j - 1])")
            w.line(f"{run} = {run} + 1 if {same} else 1")
            w.line(f"if {run} > {best}:  # strictly more: ties keep the smaller value")
            with w.indent():
                w.line(f"{best} = {run}")
                w.line(f"{name} = window_{name}[j]")


def mode_scratch(e, node) -> None:
    """The scratch array a mode pull sorts its neighbours' values in (one window per node)."""
    e.w.line(f"scratch_{e.plan.names[node.id]} = np.empty(in_indices.shape[0] + "
             f"out_indices.shape[0], {NUMPY_DTYPE[node.type.dtype]})")


# --- ops computed by a pass of their own ----------------------------------------------------

def scatter(e, node, red) -> None:
    """Serial scatter: writes land on other nodes, so no parallel loop. (Owning a range of
    targets per thread was measured: no faster on two threads, the passes being bound by
    memory, not by the writes.)"""
    w = e.w
    out = e.slot(node.id)
    x, index = e.slot(node.inputs[0]), e.slot(node.inputs[1])
    values = e.ir.node_map[node.inputs[2]]
    value = e.name(values.id) if values.type.kind is Kind.SCALAR else f"{e.slot(values.id)}[j]"
    w.line(f"# {e.plan.names[node.id]}: serial scatter-{red.name}")
    w.line("for j in range(n):")
    with w.indent():
        w.line(f"{out}[j] = {x}[j]")
    w.line("for j in range(n):")
    with w.indent():
        w.line(f"if 0 <= {index}[j] < n:")
        with w.indent():
            w.line(red.update_statement(f"{out}[{index}[j]]", value))


# A marker array has one entry per node: one per chunk (256) would allocate and zero 256n
# bytes or more (hundreds of MB on a million-node graph), so passes that mark share one
# per group of chunks; 16 groups still leave the threads work to balance.
MARKED_PARTS = 16


def marked_chunks(e, body, marks: str) -> None:
    """A parallel loop over ``MARKED_PARTS`` groups of every ``MARKED_PARTS``-th node chunk
    (spread, so the groups' work evens out) that runs ``body`` for every node i, with one
    marker array per group made by ``marks``."""
    w = e.w
    w.line(f"for part in prange({MARKED_PARTS}):")
    with w.indent():
        w.line(f"{marks}  # one per group of chunks: no sharing")
        w.line(f"for c in range(part, bounds.shape[0] - 1, {MARKED_PARTS}):")
        with w.indent():
            w.line("for i in range(np.uint64(bounds[c]), np.uint64(bounds[c + 1])):")
            with w.indent():
                body()


def common_neighbors(e, node) -> None:
    """Every arc's common neighbours.  On an undirected graph each edge is counted once,
    at its higher-degree end, by scanning the other end's (shorter) list against marks
    of its own; a second loop copies the count to the reverse arc."""
    w, out = e.w, e.slot(node.id)

    def per_node():
        w.line("if directed:")
        with w.indent():
            w.line("count_each_arc(in_indptr, in_indices, out_indptr, out_indices, "
                   f"np.int64(i), {out})")
        w.line("else:")
        with w.indent():
            w.line("count_from_lower_ends(out_indptr, out_indices, np.int64(i), marks, "
                   f"{out})")
    w.line(f"# {e.plan.names[node.id]}: common neighbours of every arc")
    marked_chunks(e, per_node, "marks = np.zeros(0 if directed else n, np.bool_)")
    w.line("if not directed:")
    with w.indent():
        e.chunked(lambda: w.line("copy_to_higher_ends(out_indptr, out_indices, "
                                 f"np.int64(i), {out})"))


def triangles(e, node) -> None:
    """Every node's triangles, each found once from its lowest node in degree order
    (Schank and Wagner's forward algorithm, as GAP's ordered count): forward lists of
    the neighbours ranking above each node, by rank, then per node one marked scan of
    the forward lists of its neighbours (``once``: of its forward neighbours only)."""
    w, out = e.w, e.slot(node.id)
    name = e.plan.names[node.id]
    rank, ptr, fwd = f"rank_{name}", f"forward_ptr_{name}", f"forward_{name}"
    w.line(f"# {name}: triangles of every node, each found from its lowest node")
    w.line(f"{rank} = degree_ranks(out_indptr)")
    w.line(f"{ptr} = np.empty(n + 1, np.int64)")
    w.line(f"{ptr}[0] = 0")
    e.chunked(lambda: w.line(f"{ptr}[{rank}[i] + 1] = count_forward(out_indptr, out_indices, "
                             f"{rank}, np.int64(i))"))
    w.line("for r in range(n):")
    with w.indent():
        w.line(f"{ptr}[r + 1] += {ptr}[r]")
    w.line(f"{fwd} = np.empty({ptr}[n], out_indices.dtype)")
    e.chunked(lambda: w.line(f"fill_forward(out_indptr, out_indices, {rank}, np.int64(i), "
                             f"{ptr}, {fwd})"))
    if node.attr("once"):
        count = f"triangles_from({ptr}, {fwd}, {rank}[i], mark)"
    else:
        count = (f"triangles_through(out_indptr, out_indices, {rank}, {ptr}, {fwd}, "
                 "np.int64(i), mark)")
    marked_chunks(e, lambda: w.line(f"{out}[i] = {count}"), "mark = np.zeros(n, np.uint8)")


def triangle_weights(e, node) -> None:
    """Every arc's triangle weights: one merge of the two in-neighbour lists per arc."""
    out, weights = e.slot(node.id), e.slot(node.inputs[0])
    e.w.line(f"# {e.plan.names[node.id]}: weighted triangles of every arc")
    e.chunked(lambda: e.w.line(f"weigh_triangles(in_indptr, in_indices, {weights}, "
                               f"np.int64(i), {out})"))


def reverse_arcs(e, node) -> None:
    """Every arc's reverse arc, found by binary search in the other end's in-list."""
    out, values = e.slot(node.id), e.slot(node.inputs[0])
    missing = literal(MISSING[node.type.dtype], node.type.dtype)
    e.w.line(f"# {e.plan.names[node.id]}: the value at every arc's reverse arc")
    e.chunked(lambda: e.w.line(f"read_reverse_arcs(in_indptr, in_indices, {values}, "
                               f"np.int64(i), {missing}, {out})"))


def directed_triangle_weights(e, node) -> None:
    """Every node's directed triangles, marking its neighbours in an array per chunk group."""
    out, weights = e.slot(node.id), e.slot(node.inputs[0])
    e.w.line(f"# {e.plan.names[node.id]}: weighted directed triangles of every node")
    marked_chunks(e, lambda: e.w.line(f"weigh_directed_triangles(in_indptr, in_indices, "
                                      f"out_indptr, out_indices, {weights}, np.int64(i), "
                                      f"mark, seen, {out})"),
                  "mark = np.zeros(n, np.float64); seen = np.zeros(n, np.bool_)")


# --- pair maps ---------------------------------------------------------------------------

def pair_common(e, node) -> None:
    """A merge of the pair's two sorted neighbour lists, adding x at every common node."""
    w, name = e.w, e.plan.names[node.id]
    u, v, x = node.inputs
    a, a_end, b, b_end = (f"{part}_{name}" for part in ("a", "a_end", "b", "b_end"))
    w.line(f"u_{name} = {e.element(u)}")
    w.line(f"v_{name} = {e.element(v)}")
    w.line(f"{name} = {literal(0, node.type.dtype)}")
    w.line(f"{a} = {a_end} = {b} = {b_end} = 0  # an end outside 0..n-1: no neighbours")
    w.line(f"if 0 <= u_{name} < n and 0 <= v_{name} < n:")
    with w.indent():
        w.line(f"{a} = out_indptr[u_{name}]")
        w.line(f"{a_end} = out_indptr[u_{name} + 1]")
        w.line(f"{b} = out_indptr[v_{name}]")
        w.line(f"{b_end} = out_indptr[v_{name} + 1]")
    w.line(f"while {a} < {a_end} and {b} < {b_end}:")
    with w.indent():
        w.line(f"left_{name} = out_indices[{a}]")
        w.line(f"right_{name} = out_indices[{b}]")
        w.line(f"if left_{name} < right_{name}:")
        with w.indent():
            w.line(f"{a} += 1")
        w.line(f"elif right_{name} < left_{name}:")
        with w.indent():
            w.line(f"{b} += 1")
        w.line("else:")
        with w.indent():
            term = e.value_at(x, f"left_{name}")
            if e.ir.node_map[x].type.dtype is DType.BOOL:
                term = f"np.int64({term})"
            if node.attr("ends") == "included":
                w.line(f"{name} += {term}")
            else:
                w.line(f"if left_{name} != u_{name} and left_{name} != v_{name}:")
                with w.indent():
                    w.line(f"{name} += {term}")
            w.line(f"{a} += 1")
            w.line(f"{b} += 1")
