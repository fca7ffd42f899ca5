"""groggy-jit as a NetworkX backend (``backend="groggy_jit"``).

The entry points name :mod:`.interface` (the functions networkx dispatches to)
and :mod:`.info` (what networkx's documentation and dispatcher read without
importing either networkx or Numba). Importing this package imports neither.
"""
