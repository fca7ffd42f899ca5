"""Linear-scan slot allocation: values whose live ranges do not overlap share an array."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ir.types import Type
from .liveness import Interval


@dataclass
class Slot:
    index: int
    type: Type
    values: list[str] = field(default_factory=list)


def allocate(intervals: dict[str, Interval], type_of,
             prefer: dict[str, str] | None = None) -> tuple[list[Slot], dict[str, int]]:
    """Assign each interval a slot of its type; a slot is free once its value's range ended.

    ``prefer`` maps a loop carry to its initial value: when that value's range ends where
    the carry's begins (the copy into the loop is its last use), the carry takes over its
    slot, and the copy is no copy at all."""
    prefer = prefer or {}
    slots: list[Slot] = []
    slot_of: dict[str, int] = {}
    active: list[Interval] = []
    order = sorted(intervals.values(), key=lambda iv: (iv.start, iv.end, iv.value))
    for iv in order:
        still = []
        for a in active:
            if a.end >= iv.start:
                still.append(a)
        active = still
        busy = {slot_of[a.value] for a in active}
        t = type_of(iv.value)
        init = intervals.get(prefer.get(iv.value, ""))
        if init is not None and init.end == iv.start and init.value in slot_of \
                and slots[slot_of[init.value]].type == t \
                and not any(slot_of[a.value] == slot_of[init.value] for a in active
                            if a is not init):
            busy.discard(slot_of[init.value])
            free = [slots[slot_of[init.value]]]
        else:
            free = [s for s in slots if s.type == t and s.index not in busy]
        slot = free[0] if free else Slot(len(slots), t)
        if not free:
            slots.append(slot)
        slot.values.append(iv.value)
        slot_of[iv.value] = slot.index
        active.append(iv)
    return slots, slot_of
