"""A frontier group's per-node marks: one byte per node, one bit per mark, so a node
the push reaches touches one array, not three."""

HIT = 1       # an offer reached the node this round: its accumulator holds a value
SEEN = 2      # the node is on this round's touched list
ACTIVE = 4    # an ordered frontier took the node from its buckets this round

TOUCHED = "touched_marks"     # a touched node's marks, read once in the touched pass


def name(g: int) -> str:
    return f"frontier_marks_{g}"


def has(marks: str, node: str, bit: int) -> str:
    return f"({marks}[{node}] & np.uint8({bit}))"


def mark(marks: str, node: str, bit: int) -> str:
    return f"{marks}[{node}] |= np.uint8({bit})"
