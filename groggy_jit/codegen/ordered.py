"""An ordered frontier in the kernel (``plan/ordered.py``): its list kept in key buckets.

The buckets are singly linked lists in one pool of entries, as in ``kernels/sssp.py``:
``head[b]`` is the last entry filed into bucket ``b``, ``pool_next[e]`` the one filed
before it.  A node is filed again whenever it stays in the frontier after a round that
touched it; an entry is *live* while its node is in the frontier and its key still
falls in that bucket, and dead entries are skipped (and dropped) when a bucket is read.
Every entry a bucket's reading takes out goes on a free list that the next filings use
first, so the pool holds about the frontier, not every filing of the run: fewer pages
to fault in, and entries that are still in cache.

A pushed round (``frontier.round_``) then
* finds the lowest key in the first bucket with a live entry (the riding reductions),
  taking that bucket's live nodes out of it on the way (they are *held*);
* gathers the held nodes and the next buckets' live entries below the round's bound
  into the active list, filing the others again, and pushes from that list only;
* files every node the touched pass leaves in the frontier; the frontier's size and
  arcs are kept as counts.
The buckets are built from the plain list at the first pushed round (their width is
that round's ``bound - lowest``) and again after a pulled one.  A key outside the
buckets' range (infinite, or more than ``n + 1024`` buckets away) drops them: the
round goes on with the plain list, listed again by a scan of the mask if need be.
"""

from __future__ import annotations

from ..ir.lowering import EDGE_LISTS, literal
from ..ir.monoids import reduction
from . import marks

EXTRA_BUCKETS = 1024       # buckets beyond n before the keys count as out of range


def degree(frontier, at: str) -> str:
    """The number of arcs a frontier node ``at`` pushes along."""
    indptr = EDGE_LISTS[frontier.push_arcs][0]
    return f"np.int64({indptr}[{at} + ONE] - {indptr}[{at}])"


def names(g: int) -> dict[str, str]:
    """The kernel locals of ordered frontier ``g``."""
    keys = ("head", "pool_node", "pool_next", "pool_size", "free", "top", "cur", "base", "width",
            "limit", "keyed", "listed", "active", "stamp", "epoch", "active_size",
            "active_arcs", "round", "held", "lowest")
    return {key: f"ordered_{key}_{g}" for key in keys}


def setup(e, ordered, g: int) -> None:
    w, o = e.w, names(g)
    w.line(f"{o['head']} = np.full(64, -1, np.int64)")
    for key in ("pool_node", "pool_next"):
        w.line(f"{o[key]} = np.empty(max(1024, n), np.int64)")
    w.line(f"{o['active']} = np.empty(n, np.int64)")
    w.line(f"{o['stamp']} = np.full(n, -1, np.int64)")
    for key in ("pool_size", "top", "cur", "epoch", "active_size", "active_arcs"):
        w.line(f"{o[key]} = 0")
    w.line(f"{o['base']} = 0.0")
    w.line(f"{o['width']} = 1.0")
    w.line(f"{o['limit']} = np.float64(n + {EXTRA_BUCKETS})")
    w.line(f"{o['keyed']} = False")
    w.line(f"{o['listed']} = True")
    w.line(f"{o['round']} = False")
    w.line(f"{o['held']} = -1")
    w.line(f"{o['free']} = -1")
    w.line(f"{o['lowest']} = {_lowest_identity(e, ordered)}")


def enter_loop(e, g: int) -> None:
    """The loop starts from the plain list (``frontier.enter_loop``)."""
    e.w.line(f"{names(g)['keyed']} = False")
    e.w.line(f"{names(g)['listed']} = True")
    e.w.line(f"{names(g)['held']} = -1")


def after_pull(e, g: int) -> None:
    """A pulled round changed keys anywhere, and listed the whole frontier."""
    enter_loop(e, g)


def _bucket(e, ordered, o, node: str) -> str:
    key = f"{e.slot(ordered.key)}[{node}]"
    return f"key_bucket({key}, {o['base']}, {o['width']}, {o['limit']})"


def _live(e, ordered, o, node: str, bucket: str) -> str:
    mask = e.slot(ordered.frontier.mask)
    return f"{mask}[{node}] and {_bucket(e, ordered, o, node)} == {bucket}"


def file(e, ordered, o, node: str = "i") -> None:
    """File ``node`` under its key's bucket, or drop the buckets if it has none."""
    w = e.w
    w.line(f"bucket = {_bucket(e, ordered, o, node)}")
    w.line("if bucket < 0:")
    with w.indent():
        w.line(f"{o['keyed']} = False")
    w.line("else:")
    with w.indent():
        _file_in(e, o, "bucket", node)


def _file_in(e, o, bucket: str, node: str = "i", known: bool = False) -> None:
    """A new entry of ``node`` at the head of ``bucket`` (``known``: a bucket in use)."""
    w = e.w
    if not known:
        w.line(f"if {bucket} >= {o['head']}.shape[0]:")
        with w.indent():
            w.line(f"{o['head']} = grown({o['head']}, max(2 * {o['head']}.shape[0], {bucket} + 1), -1)")
    w.line(f"if {o['free']} >= 0:")
    with w.indent():
        w.line(f"filed = {o['free']}")
        w.line(f"{o['free']} = {o['pool_next']}[filed]")
    w.line("else:")
    with w.indent():
        w.line(f"if {o['pool_size']} == {o['pool_node']}.shape[0]:")
        with w.indent():
            for key in ("pool_node", "pool_next"):
                w.line(f"{o[key]} = grown({o[key]}, 2 * {o['pool_size']}, 0)")
        w.line(f"filed = {o['pool_size']}")
        w.line(f"{o['pool_size']} += 1")
    w.line(f"{o['pool_node']}[filed] = {node}")
    w.line(f"{o['pool_next']}[filed] = {o['head']}[{bucket}]")
    w.line(f"{o['head']}[{bucket}] = filed")
    if not known:
        w.line(f"{o['top']} = max({o['top']}, {bucket})")
        w.line(f"{o['cur']} = min({o['cur']}, {bucket})")


def _lowest_identity(e, ordered) -> str:
    dtype = e.ir.node_map[ordered.key].type.dtype
    return literal(reduction("min").identity(dtype), dtype)


def lowest(e, ordered, g: int) -> None:
    """The riding reductions in a keyed round: the least live key of the first bucket
    with a live entry.  That bucket's live nodes are taken out of it into the active
    list on the way (*held*), so the gather filters them there instead of walking the
    bucket again; emptied buckets on the way are dropped."""
    w, o = e.w, names(g)
    key = e.slot(ordered.key)
    w.line(f"if {o['held']} < 0:          # once a round, for every riding reduction")
    with w.indent():
        w.line(f"{o['lowest']} = {_lowest_identity(e, ordered)}")
        w.line(f"{o['epoch']} += 1")
        w.line(f"{o['active_size']} = 0")
        w.line(f"while {o['cur']} <= {o['top']}:")
        with w.indent():
            w.line(f"entry = {o['head']}[{o['cur']}]")
            w.line(f"{o['head']}[{o['cur']}] = -1")
            w.line("while entry >= 0:")
            with w.indent():
                _free(w, o)
                w.line(f"if {_unseen_live(e, ordered, o, o['cur'])}:")
                with w.indent():
                    w.line(f"{o['stamp']}[i] = {o['epoch']}")
                    w.line(f"{o['active']}[{o['active_size']}] = i")
                    w.line(f"{o['active_size']} += 1")
                    w.line(f"{o['lowest']} = np.minimum({o['lowest']}, {key}[i])")
                w.line("entry = after")
            w.line(f"if {o['active_size']} > 0:")
            with w.indent():
                w.line("break")
            w.line(f"{o['cur']} += 1")
        w.line(f"{o['held']} = {o['active_size']}")
    for r in ordered.lowest:
        w.line(f"{e.plan.names[r]} = {o['lowest']}")


def _free(w, o) -> None:
    """Read a bucket's ``entry`` (its node ``i``, the one after it) and free it."""
    w.line(f"after = {o['pool_next']}[entry]")
    w.line(f"i = np.uint64({o['pool_node']}[entry])")
    w.line(f"{o['pool_next']}[entry] = {o['free']}")
    w.line(f"{o['free']} = entry")


def _unseen_live(e, ordered, o, bucket: str) -> str:
    """Node ``i`` (of an entry) is live in ``bucket`` and not yet taken this round."""
    return f"{o['stamp']}[i] != {o['epoch']} and {_live(e, ordered, o, 'i', bucket)}"


def choose_list(e, ordered, frontier_names, g: int) -> None:
    """Before a push: build the buckets if there are none, from the plain list (complete:
    the round's riding ``lowest`` listed the frontier again if it had to), then gather the
    active list from them; ``push_list``, ``push_size`` and ``push_arcs`` name what the
    push walks."""
    w, o, v = e.w, names(g), frontier_names
    bound, low = e.name(ordered.bound), e.plan.names[ordered.lowest[0]]
    w.line(f"if not {o['keyed']}:")
    with w.indent():
        w.line(f"{o['width']} = np.float64({bound}) - np.float64({low})")
        w.line(f"if {o['width']} > 0.0 and {o['width']} < np.inf:")
        with w.indent():
            w.line(f"{o['base']} = np.float64({low})")
            w.line(f"for b in range({o['top']} + 1):")
            with w.indent():
                w.line(f"{o['head']}[b] = -1")
            for key in ("pool_size", "top"):
                w.line(f"{o[key]} = 0")
            w.line(f"{o['free']} = -1")
            w.line(f"{o['cur']} = {o['head']}.shape[0]")
            w.line(f"{o['keyed']} = True")
            w.line(f"for t in range({v['size']}):")
            with w.indent():
                w.line(f"i = np.uint64({v['list']}[t])")
                file(e, ordered, o)
                w.line(f"if not {o['keyed']}:")
                with w.indent():
                    w.line("break")
    w.line(f"{o['round']} = {o['keyed']}")
    w.line(f"if {o['keyed']}:")
    with w.indent():
        _gather(e, ordered, o, bound, g)
        w.line(f"push_list = {o['active']}")
        w.line(f"push_size = {o['active_size']}")
        w.line(f"push_arcs = {o['active_arcs']}")
    w.line("else:")
    with w.indent():
        w.line(f"push_list = {v['list']}")
        w.line(f"push_size = {v['size']}")
        w.line(f"push_arcs = {v['arcs']}")


def _gather(e, ordered, o, bound: str, g: int) -> None:
    """The live nodes of the leading buckets that pass the push's filter, in the active
    list: first the nodes ``lowest`` held, then the next buckets' entries below the bound;
    the other live ones are filed again (in the entries just freed), the dead dropped."""
    w = e.w
    w.line(f"held = {o['held']}")
    w.line("if held < 0:                 # buckets built this round: none held yet")
    with w.indent():
        w.line(f"{o['epoch']} += 1")
        w.line("held = 0")
        w.line(f"b = {o['cur']}")
    w.line("else:")
    with w.indent():
        w.line(f"b = {o['cur']} + 1")
    w.line(f"{o['held']} = -1")
    w.line(f"{o['active_size']} = 0")
    w.line(f"{o['active_arcs']} = 0")
    w.line("for t in range(held):")
    with w.indent():
        w.line(f"i = np.uint64({o['active']}[t])")
        _take(e, ordered, o, g, lambda: _file_in(e, o, o['cur'], known=True))
    w.line(f"while b <= {o['top']} and (b == 0 or {o['base']} + b * {o['width']} < {bound}):")
    with w.indent():
        w.line(f"entry = {o['head']}[b]")
        w.line(f"{o['head']}[b] = -1")
        w.line("while entry >= 0:")
        with w.indent():
            _free(w, o)
            w.line(f"if {_unseen_live(e, ordered, o, 'b')}:")
            with w.indent():
                w.line(f"{o['stamp']}[i] = {o['epoch']}")
                _take(e, ordered, o, g, lambda: _file_in(e, o, "b", known=True))
            w.line("entry = after")
        w.line("b += 1")


def _take(e, ordered, o, g: int, otherwise) -> None:
    """Node ``i`` joins the active list if it passes the push's filter, else ``otherwise``."""
    w = e.w
    w.line(f"if {e.value_at(ordered.frontier.source_filter, 'i')}:")
    with w.indent():
        w.line(f"{o['active']}[{o['active_size']}] = i")
        w.line(f"{o['active_size']} += 1")
        w.line(f"{o['active_arcs']} += {degree(ordered.frontier, 'i')}")
        w.line(marks.mark(marks.name(g), "i", marks.ACTIVE))
    w.line("else:")
    with w.indent():
        otherwise()


def touched_start(e, g: int) -> None:
    e.w.line("waiting_reached = 0")
    e.w.line("waiting_reached_arcs = 0")


def touched_node(e, ordered, g: int) -> None:
    """Before the group at a touched node: count the waiting nodes a push reached."""
    w, o = e.w, names(g)
    mask = e.slot(ordered.frontier.mask)
    w.line(f"if {o['round']}:")
    with w.indent():
        w.line(f"if not ({marks.TOUCHED} & np.uint8({marks.ACTIVE})) and {mask}[i]:")
        with w.indent():
            w.line("waiting_reached += 1")
            w.line(f"waiting_reached_arcs += {degree(ordered.frontier, 'i')}")


def touched_next(e, ordered, frontier_names, g: int) -> None:
    """A touched node left in the frontier: filed in a keyed round, else listed."""
    w, o, v = e.w, names(g), frontier_names
    w.line(f"if {o['round']}:")
    with w.indent():
        w.line(f"if {o['keyed']}:")
        with w.indent():
            file(e, ordered, o)
    w.line("else:")
    with w.indent():
        w.line(f"{v['next']}[next_size - 1] = i")


def fold_waiting(e, ordered, frontier_names, g: int) -> None:
    """The nodes left waiting: how many, and the reductions' constant there, folded once
    if there are any."""
    w, o, v = e.w, names(g), frontier_names
    w.line(f"push_waiting = {v['size']} - {o['active_size']} - waiting_reached if {o['round']} else 0")
    if not ordered.folds:
        return
    w.line("if push_waiting > 0:")
    with w.indent():
        for r, value in ordered.folds:
            node = e.ir.node_map[r]
            dtype = e.ir.node_map[node.inputs[0]].type.dtype
            red = reduction(node.attr("reduce"))
            w.line(red.update_statement(f"acc_{e.plan.names[r]}", literal(value, dtype)))


def finish(e, frontier_names, g: int) -> None:
    """The frontier's counts after a keyed round; a plain round swaps in the next list."""
    w, o, v = e.w, names(g), frontier_names
    w.line(f"if {o['round']}:")
    with w.indent():
        w.line(f"{v['size']} = push_waiting + next_size")
        w.line(f"{v['arcs']} = {v['arcs']} - {o['active_arcs']} - waiting_reached_arcs + next_arcs")
        w.line(f"{o['listed']} = False")
    w.line("else:")
    with w.indent():
        w.line(f"{v['list']}, {v['next']} = swapped({v['list']}, {v['next']})")
        w.line(f"{v['size']} = next_size")
        w.line(f"{v['arcs']} = next_arcs")
        w.line(f"{o['listed']} = True")
