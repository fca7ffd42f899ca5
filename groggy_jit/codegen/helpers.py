"""Small functions generated kernels call, copied into the generated modules that call them.

They are plain Python here (so they can be read, tested and run without Numba);
``helpers_source`` gives the source of those a kernel calls, each under ``@njit``,
as the generated module carries it.  Numba compiles them into the kernel that calls
them, so they have no cache files of their own, and no Python or C entry points
either: only kernels call them, and building those wrappers was a large part of
each helper's compile.
"""

from __future__ import annotations

import inspect
import re

import numpy as np


def swapped(a, b):
    """(b, a): the two arrays of a loop carry trade places.

    Through a call, because Numba's parallel copy propagation never terminates on a
    cycle of plain array copies (``a, b = b, a``) in a loop with a constant trip count.
    """
    return b, a


def bit(bits, v):
    """Whether node ``v`` is in the bitmap ``bits`` (one uint64 word per 64 nodes)."""
    return (bits[np.uint64(v) >> np.uint64(6)] >> (np.uint64(v) & np.uint64(63))) \
        & np.uint64(1) != 0


def first_at_least(indices, lo, hi, x):
    """The first position in the sorted ``indices[lo:hi]`` holding ``x`` or more (or hi)."""
    while lo < hi:
        mid = (lo + hi) >> 1
        if indices[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def common_neighbours(indptr, indices, u, v):
    """How many nodes other than u and v are in both sorted lists N(u) and N(v).

    Scans the shorter list.  When the other is much longer (a hub's), each element
    is found there by a binary search that only moves forward; otherwise the two
    lists are merged.
    """
    a, a_end = np.int64(indptr[u]), np.int64(indptr[u + 1])
    b, b_end = np.int64(indptr[v]), np.int64(indptr[v + 1])
    if a_end - a > b_end - b:
        a, a_end, b, b_end = b, b_end, a, a_end
    count = 0
    if b_end - b > 16 * (a_end - a):
        for p in range(a, a_end):
            x = indices[p]
            b = first_at_least(indices, b, b_end, np.int64(x))   # one signature: one compile
            if b == b_end:
                break
            if indices[b] == x and x != u and x != v:
                count += 1
        return count
    a, b = next_common(indices, a, a_end, b, b_end)
    while a < a_end:
        if indices[a] != u and indices[a] != v:
            count += 1
        a, b = next_common(indices, a + 1, a_end, b + 1, b_end)
    return count


def next_common(indices, a, a_end, b, b_end):
    """Positions from a and b of the next node in both sorted lists ``indices[a:a_end]``
    and ``indices[b:b_end]``; (a_end, b_end) when there is none."""
    while a < a_end and b < b_end:
        x, y = indices[a], indices[b]
        if x == y:
            return a, b
        if x < y:
            a += 1
        else:
            b += 1
    return a_end, b_end


def count_each_arc(in_indptr, in_indices, out_indptr, out_indices, i, out):
    """For every arc u -> i (a directed graph): the common out-neighbours of u and i."""
    for k in range(in_indptr[i], in_indptr[i + 1]):
        out[k] = common_neighbours(out_indptr, out_indices, np.int64(in_indices[k]), i)


def ranks_below(indptr, u, v):
    """u comes before v in degree order (ties by id): u's list is the shorter."""
    du, dv = indptr[u + 1] - indptr[u], indptr[v + 1] - indptr[v]
    return du < dv or (du == dv and u < v)


def count_from_lower_ends(indptr, indices, i, marks, out):
    """For the arcs u -> i whose u ranks below i: how many neighbours of u, other than
    u and i, are marked as neighbours of i.  ``marks`` is all False before and after."""
    for k in range(indptr[i], indptr[i + 1]):
        marks[indices[k]] = True
    for k in range(indptr[i], indptr[i + 1]):
        u = np.int64(indices[k])
        if u == i:
            out[k] = common_neighbours(indptr, indices, i, i)
        elif ranks_below(indptr, u, i):
            count = 0
            for p in range(indptr[u], indptr[u + 1]):
                x = indices[p]
                if marks[x] and x != u and x != i:
                    count += 1
            out[k] = count
    for k in range(indptr[i], indptr[i + 1]):
        marks[indices[k]] = False


def copy_to_higher_ends(indptr, indices, i, out):
    """For the arcs u -> i whose i ranks below u: the count of the reverse arc i -> u,
    found by binary search in u's sorted list."""
    for k in range(indptr[i], indptr[i + 1]):
        u = np.int64(indices[k])
        if u != i and not ranks_below(indptr, u, i):
            out[k] = out[first_at_least(indices, np.int64(indptr[u]), np.int64(indptr[u + 1]), i)]


def degree_ranks(indptr):
    """Every node's place in degree order, ties by id: a stable counting sort.  Hubs
    rank last and get neighbouring ranks, so the forward lists and marks they are read
    through stay close in memory."""
    n = indptr.shape[0] - 1
    most = 0
    for u in range(n):
        most = max(most, np.int64(indptr[u + 1] - indptr[u]))
    start = np.zeros(most + 2, np.int64)
    for u in range(n):
        start[indptr[u + 1] - indptr[u] + 1] += 1
    for d in range(most + 1):
        start[d + 1] += start[d]
    rank = np.empty(n, np.int64)
    for u in range(n):
        d = indptr[u + 1] - indptr[u]
        rank[u] = start[d]
        start[d] += 1
    return rank


def count_forward(indptr, indices, rank, u):
    """How many neighbours of u rank above it: the length of its forward list."""
    count = 0
    own = rank[u]
    for k in range(indptr[u], indptr[u + 1]):
        count += rank[indices[k]] > own
    return count


def fill_forward(indptr, indices, rank, u, forward_ptr, forward):
    """u's forward list, the ranks of its neighbours that rank above it, into
    ``forward`` from ``forward_ptr[rank[u]]``.  A self loop is not above its node."""
    own = rank[u]
    at = forward_ptr[own]
    for k in range(indptr[u], indptr[u + 1]):
        r = rank[indices[k]]
        if r > own:
            forward[at] = r
            at += 1


def triangles_through(indptr, indices, rank, forward_ptr, forward, x, mark):
    """The triangles through x, each found once from its lowest-ranked node: from each
    lower neighbour u, the neighbours of x in u's forward list; from each forward
    neighbour v, the forward neighbours of x in v's.  ``mark``, by rank, holds 2 for a
    forward neighbour of x and 1 for another; it is all 0 before and after."""
    start, end = indptr[x], indptr[x + 1]
    for k in range(start, end):
        r = rank[indices[k]]
        if r != rank[x]:
            mark[r] = 2 if r > rank[x] else 1
    found = 0
    for k in range(start, end):
        r = rank[indices[k]]
        if r != rank[x]:
            shift = 1 if r > rank[x] else 0    # forward neighbours count the 2s only
            for p in range(forward_ptr[r], forward_ptr[r + 1]):
                found += (mark[forward[p]] >> shift) != 0
    for k in range(start, end):
        mark[rank[indices[k]]] = 0
    return found


def triangles_from(forward_ptr, forward, r, mark):
    """The triangles whose lowest-ranked node has rank r: its forward neighbours in the
    forward lists of its forward neighbours.  ``mark`` is all 0 before and after."""
    start, end = forward_ptr[r], forward_ptr[r + 1]
    for k in range(start, end):
        mark[forward[k]] = 1
    found = 0
    for k in range(start, end):
        v = forward[k]
        for p in range(forward_ptr[v], forward_ptr[v + 1]):
            found += mark[forward[p]]
    for k in range(start, end):
        mark[forward[k]] = 0
    return found


def weigh_triangles(indptr, indices, e, i, out):
    """For every arc j -> i: Σ cbrt(e[j->i] e[x->j] e[x->i]) over the x other than i and
    j in both sorted in-lists, in increasing x."""
    for k in range(indptr[i], indptr[i + 1]):
        j = np.int64(indices[k])
        a, a_end = np.int64(indptr[j]), np.int64(indptr[j + 1])
        b, b_end = np.int64(indptr[i]), np.int64(indptr[i + 1])
        total = 0.0
        a, b = next_common(indices, a, a_end, b, b_end)
        while a < a_end:
            if indices[a] != i and indices[a] != j:
                total += np.cbrt(e[k] * e[a] * e[b])
            a, b = next_common(indices, a + 1, a_end, b + 1, b_end)
        out[k] = total


def in_position(indptr, indices, source, target):
    """Where the arc source -> target is in the in-lists; -1 when there is none."""
    lo, hi = np.int64(indptr[target]), np.int64(indptr[target + 1])
    at = first_at_least(indices, lo, hi, source)
    if at < hi and indices[at] == source:
        return at
    return np.int64(-1)


def read_reverse_arcs(indptr, indices, e, i, missing, out):
    """For every arc j -> i: e at the arc i -> j, or ``missing``."""
    for k in range(indptr[i], indptr[i + 1]):
        at = in_position(indptr, indices, i, np.int64(indices[k]))
        out[k] = e[at] if at >= 0 else missing


def mark_neighbours(in_indptr, in_indices, out_indptr, out_indices, e, i, mark, seen, add):
    """``mark[k] += cbrt(e[k -> i]) + cbrt(e[i -> k])`` (``add``) or ``mark[k] = 0``
    for every other end k of i's arcs; ``seen[k]`` says k is one."""
    for p in range(in_indptr[i], in_indptr[i + 1]):
        k = in_indices[p]
        if k != i:
            mark[k] = mark[k] + np.cbrt(e[p]) if add else 0.0
            seen[k] = add
    for p in range(out_indptr[i], out_indptr[i + 1]):
        k = out_indices[p]
        if k != i:
            at = in_position(in_indptr, in_indices, i, np.int64(k))
            mark[k] = mark[k] + np.cbrt(e[at]) if add else 0.0
            seen[k] = add


def triangles_on(in_indptr, in_indices, out_indptr, out_indices, e, i, j, mark, seen):
    """Σ mark[j] mark[k] cbrt(e) over the arcs between j and the marked k (not i or j)."""
    total = 0.0
    for p in range(in_indptr[j], in_indptr[j + 1]):
        k = in_indices[p]
        if k != i and k != j and seen[k]:
            total += mark[j] * mark[k] * np.cbrt(e[p])
    for p in range(out_indptr[j], out_indptr[j + 1]):
        k = out_indices[p]
        if k != i and k != j and seen[k]:
            at = in_position(in_indptr, in_indices, j, np.int64(k))
            total += mark[j] * mark[k] * np.cbrt(e[at])
    return total


def weigh_directed_triangles(in_indptr, in_indices, out_indptr, out_indices, e, i, mark,
                             seen, out):
    """Node i's directed triangles: Σ c_ij c_ik c_jk, c_xy the cube roots of the arcs
    between x and y summed.  ``mark``/``seen`` are all zero before and after."""
    mark_neighbours(in_indptr, in_indices, out_indptr, out_indices, e, i, mark, seen, True)
    total = 0.0
    for p in range(in_indptr[i], in_indptr[i + 1]):
        j = np.int64(in_indices[p])
        if j != i:
            total += triangles_on(in_indptr, in_indices, out_indptr, out_indices, e, i, j,
                                  mark, seen)
    for p in range(out_indptr[i], out_indptr[i + 1]):
        j = np.int64(out_indices[p])
        if j != i and in_position(in_indptr, in_indices, j, i) < 0:   # not met as an in-arc
            total += triangles_on(in_indptr, in_indices, out_indptr, out_indices, e, i, j,
                                  mark, seen)
    mark_neighbours(in_indptr, in_indices, out_indptr, out_indices, e, i, mark, seen, False)
    out[i] = total

def balanced_starts(prefix, size, chunks):
    """Where each of ``chunks`` ranges of ``0..size`` starts (and, last, ``size``), so that
    each holds about as many items + their counts: range c starts at the first v with
    ``prefix[v] + v`` at least its share, ``prefix`` being the running count (an indptr)."""
    starts = np.empty(chunks + 1, np.int64)
    total = np.int64(prefix[size]) + size
    for c in range(chunks + 1):
        target = total * c // chunks
        lo = 0
        hi = size
        while lo < hi:                      # prefix[v] + v grows with v: a binary search
            mid = (lo + hi) >> 1
            if np.int64(prefix[mid]) + mid < target:
                lo = mid + 1
            else:
                hi = mid
        starts[c] = lo
    return starts


def key_bucket(key, base, width, limit):
    """The bucket of an ordered frontier's ``key``: floor((key - base) / width), keys
    below ``base + width`` (or NaN) in bucket 0, and -1 from ``limit`` buckets on."""
    d = (np.float64(key) - base) / width
    if not d >= 1.0:
        return 0
    if d < limit:
        return np.int64(d)
    return -1


def grown(a, size, fill):
    """``a`` copied into an array of ``size`` entries, the new ones ``fill``."""
    out = np.full(size, fill, a.dtype)
    out[:a.shape[0]] = a
    return out


DECORATOR = "@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)"
# Called once per node of a loop whose nodes do little work (a grid's four neighbours):
# inlined where they are called, as a call per node cost more than that work.
INLINED_DECORATOR = '@njit(inline="always", no_cpython_wrapper=True, no_cfunc_wrapper=True)'

HELPERS = (swapped, bit, first_at_least, next_common, common_neighbours, count_each_arc, ranks_below,
           count_from_lower_ends, copy_to_higher_ends, degree_ranks, count_forward,
           fill_forward, triangles_through, triangles_from, weigh_triangles, in_position,
           read_reverse_arcs, mark_neighbours, triangles_on, weigh_directed_triangles, key_bucket,
           grown, balanced_starts)
INLINED = (bit, count_forward, fill_forward, triangles_through, triangles_from, key_bucket)
_SOURCES = {f.__name__: inspect.getsource(f) for f in HELPERS}


def _calls(text: str) -> set[str]:
    return {name for name in _SOURCES if re.search(rf"\b{name}\(", text)}


def helpers_source(code: str) -> str:
    """The helpers ``code`` calls, and those they call, in definition order, as source."""
    needed, todo = set(), _calls(code)
    while todo:
        name = todo.pop()
        needed.add(name)
        todo |= _calls(_SOURCES[name].split("\n", 1)[1]) - needed    # the body, not the def
    return "\n\n".join(f"{INLINED_DECORATOR if f in INLINED else DECORATOR}  "
                       "# compiled into the kernel that calls it\n" + _SOURCES[f.__name__]
                       for f in HELPERS if f.__name__ in needed)
