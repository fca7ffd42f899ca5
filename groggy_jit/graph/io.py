"""Reading graphs from files: whitespace edge lists and Matrix Market."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import os
import re
import warnings
import zlib

import numpy as np

from ..errors import GraphInputError
from .graph import Graph

__all__ = ["read_edgelist", "read_matrix_market"]


def _open_text(path):
    name = os.fspath(path)
    if name.endswith(".gz"):
        return gzip.open(name, "rt")
    if name.endswith(".bz2"):
        return bz2.open(name, "rt")
    return open(name)


@contextlib.contextmanager
def _reading(path, what: str):
    """Turn the ways a file can fail to be a text graph file into GraphInputError.

    A missing file stays a FileNotFoundError, as for ``open``.
    """
    name = os.fspath(path)
    if os.path.isdir(name):
        raise GraphInputError(f"{name} is a directory; pass the path of {what} file")
    if not os.path.exists(name):
        raise FileNotFoundError(name)
    try:
        yield
    except UnicodeDecodeError as exc:
        raise GraphInputError(f"{name} is not a text file (byte {exc.start} cannot be decoded as "
                              f"UTF-8); pass {what} file, decompressed or named .gz/.bz2 "
                              "if it is compressed") from None
    except (OSError, EOFError, zlib.error) as exc:
        compressed = {".gz": "gzip", ".bz2": "bzip2"}.get(os.path.splitext(name)[1])
        if compressed is None or isinstance(exc, (FileNotFoundError, PermissionError)):
            raise
        raise GraphInputError(f"{name} is not a valid {compressed} file ({exc}); decompress it, "
                              "or rename it if it is not compressed") from None


def _first_data_line(path, comments):
    """Return ``(line_number, fields)`` of the first non-comment line, or None."""
    with _open_text(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            if comments:
                line = line.split(comments, 1)[0]
            fields = line.split()
            if fields:
                return lineno, fields
    return None


def read_edgelist(path, directed=True, weighted=None, comments="#", num_nodes=None) -> Graph:
    """Read a whitespace-separated edge list ``u v [w]``.

    Parameters
    ----------
    path : str or os.PathLike
        Text file (``.gz`` / ``.bz2`` are decompressed) with one edge per
        line: two integer node ids and optionally a weight.  Extra columns
        are ignored when ``weighted`` is given explicitly.
    directed : bool, optional
        True (default): each line is an arc ``u -> v``.  False: an undirected
        edge (see :meth:`Graph.from_edges` for duplicates).
    weighted : bool or None, optional
        None (default): weighted when lines have three columns, unweighted
        when they have two.  True: use the third column.  False: ignore it.
    comments : str or None, optional
        Text after this marker on a line is ignored (default ``"#"``).
    num_nodes : int, optional
        Number of nodes; default largest id + 1.

    Returns
    -------
    Graph

    Raises
    ------
    GraphInputError
        If a line cannot be parsed, has too few columns, has a different
        number of columns than the first one while ``weighted`` is None, or
        holds invalid ids or weights; if the path is a directory, not text,
        or not validly compressed.
    FileNotFoundError
        If ``path`` does not exist.
    """
    with _reading(path, "an edge-list"):
        return _read_edgelist(path, directed, weighted, comments, num_nodes)


def _read_edgelist(path, directed, weighted, comments, num_nodes) -> Graph:
    first = _first_data_line(path, comments)
    if first is None:
        empty = np.empty(0, dtype=np.int64)
        weights = np.empty(0) if weighted else None
        return Graph.from_edges(empty, empty, weights, num_nodes=num_nodes, directed=directed)
    lineno, fields = first
    ncols = len(fields)
    if ncols < 2:
        raise GraphInputError(
            f"{os.fspath(path)}: line {lineno} has {ncols} column(s); an edge list needs "
            "'u v' or 'u v w' on each line"
        )
    detected = weighted is None
    if weighted is None:
        if ncols > 3:
            raise GraphInputError(
                f"{os.fspath(path)}: line {lineno} has {ncols} columns; pass weighted=True "
                "to use the third column as the weight or weighted=False to ignore it"
            )
        weighted = ncols == 3
    elif weighted and ncols < 3:
        raise GraphInputError(
            f"{os.fspath(path)}: weighted=True but line {lineno} has no third (weight) column"
        )

    if weighted:
        dtype = [("u", np.int64), ("v", np.int64), ("w", np.float64)]
        usecols = (0, 1, 2)
    else:
        dtype = np.int64
        usecols = (0, 1)
    if detected:
        usecols = None          # every line must have as many columns as the first
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data"
            table = np.loadtxt(
                path, dtype=dtype, comments=comments, usecols=usecols, ndmin=1 if weighted else 2
            )
    except ValueError as exc:
        changed = (re.search(r"changed from (\d+) to (\d+) at row (\d+)", str(exc)) or
                   re.search(r"requires (\d+) columns but (\d+) were found at row (\d+)", str(exc)))
        if changed:
            before, after, row = changed.groups()
            fix = ("give every line its weight, or pass weighted=False to ignore the weights"
                   if int(after) < int(before) else
                   "pass weighted=True to read the third column as the weight (every line then "
                   "needs one) or weighted=False to ignore it")
            raise GraphInputError(
                f"{os.fspath(path)}: data row {row} has {after} columns but the first has "
                f"{before}; {fix}") from None
        raise GraphInputError(f"{os.fspath(path)}: cannot parse edge list: {exc}") from None

    if weighted:
        src = np.ascontiguousarray(table["u"])
        dst = np.ascontiguousarray(table["v"])
        w = np.ascontiguousarray(table["w"])
    else:
        src = np.ascontiguousarray(table[:, 0])
        dst = np.ascontiguousarray(table[:, 1])
        w = None
    del table
    try:
        return Graph.from_edges(src, dst, w, num_nodes=num_nodes, directed=directed)
    except GraphInputError as exc:
        raise GraphInputError(
            f"{os.fspath(path)}: {exc} (index = edge number, counting from 0 and "
            "skipping comment lines)"
        ) from None


def read_matrix_market(path, directed=None) -> Graph:
    """Read a Matrix Market file (via :func:`scipy.io.mmread`).

    Parameters
    ----------
    path : str or os.PathLike
        ``.mtx`` file (optionally compressed); entry ``(u, v)`` is an arc
        ``u -> v``.  Symmetric files are expanded; pattern files are
        unweighted.
    directed : bool or None, optional
        As in :meth:`Graph.from_scipy`: None detects symmetry.

    Returns
    -------
    Graph

    Raises
    ------
    GraphInputError
        If the file is not valid Matrix Market or not a square real matrix;
        if the path is a directory, not text, or not validly compressed.
    FileNotFoundError
        If ``path`` does not exist.
    """
    import scipy.io

    with _reading(path, "a Matrix Market"):
        try:
            matrix = scipy.io.mmread(path)
        except (ValueError, IndexError, OverflowError) as exc:
            raise GraphInputError(
                f"{os.fspath(path)}: not a readable Matrix Market file: {exc}"
            ) from None
    try:
        return Graph.from_scipy(matrix, directed=directed)
    except GraphInputError as exc:
        raise GraphInputError(f"{os.fspath(path)}: {exc}") from None
