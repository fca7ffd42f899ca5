"""``read_graph``: any supported graph file, chosen by its name.

=====================================  =====================================================
file name                              read as
=====================================  =====================================================
``*.mtx``                              Matrix Market (:func:`read_matrix_market`)
``*.npz``                              a scipy sparse matrix saved by ``scipy.sparse.save_npz``
``*.graphml``, ``*.gml``               GraphML / GML through networkx
``*.csv``, ``*.tsv``                   comma / tab separated edge list
anything else (``.txt``, ``.edges``)   whitespace separated edge list
=====================================  =====================================================

``.gz`` / ``.bz2`` are decompressed first (not for ``.npz``).  An edge list has
one edge per line, ``source target [weight]``; its first line may be a header
naming the columns.  In every format, integer node ids are node indices (or
integer labels) and any other words become the node labels (sorted, for edge
lists), so a node parameter such as ``source`` is written the same way as in
the file.
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import GraphInputError
from .graph import Graph
from .io import _open_text, read_edgelist, read_matrix_market

__all__ = ["read_graph", "GRAPH_FORMATS"]

GRAPH_FORMATS = ("edgelist", "csv", "tsv", "mtx", "npz", "graphml", "gml")
_DELIMITERS = {"csv": ",", "tsv": "\t", "edgelist": None}


def graph_format(path) -> str:
    """The format a file name implies (see the module docstring)."""
    name = os.fspath(path).lower()
    for packed in (".gz", ".bz2"):
        name = name.removesuffix(packed)
    ext = os.path.splitext(name)[1].lstrip(".")
    return ext if ext in GRAPH_FORMATS else "edgelist"


def read_graph(path, *, directed: bool | None = None, weight: str | None = "weight",
               format: str | None = None) -> Graph:
    """Read a graph file in any supported format.

    Parameters
    ----------
    path : str or os.PathLike
        The file; its name picks the format unless ``format`` is given.
    directed : bool or None, optional
        None (default): what the file says (GraphML/GML), symmetry for matrices
        (Matrix Market, ``.npz``), directed for edge lists.  True / False force it.
    weight : str or None, optional
        The weight: an edge attribute (GraphML/GML) or header column of an edge
        list (``"weight"`` by default; a headerless edge list's third column is its
        weight).  None reads the graph unweighted.
    format : str, optional
        One of ``edgelist``, ``csv``, ``tsv``, ``mtx``, ``npz``, ``graphml``, ``gml``.

    Returns
    -------
    Graph

    Raises
    ------
    GraphInputError
        If the file does not exist or cannot be read as that format.
    """
    name = os.fspath(path)
    fmt = format or graph_format(name)
    if fmt not in GRAPH_FORMATS:
        raise GraphInputError(f"format={fmt!r}: use one of {', '.join(GRAPH_FORMATS)}")
    if not os.path.isfile(name):
        raise GraphInputError(f"{name}: no such file")
    if fmt == "mtx":
        graph = read_matrix_market(name, directed=directed)
        return graph if weight is not None else _unweighted(graph)
    if fmt == "npz":
        return _read_npz(name, directed, weight)
    if fmt in ("graphml", "gml"):
        return _read_networkx(name, fmt, directed, weight)
    return _read_delimited(name, _DELIMITERS[fmt], directed, weight)


def _unweighted(graph: Graph) -> Graph:
    if not graph.weighted:
        return graph
    return Graph.from_scipy(graph.to_scipy().astype(bool), directed=graph.directed)


def _read_npz(name, directed, weight) -> Graph:
    import zipfile
    import scipy.sparse
    try:
        matrix = scipy.sparse.load_npz(name)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise GraphInputError(f"{name}: not a scipy sparse .npz file ({exc}); write one "
                              "with scipy.sparse.save_npz") from None
    if weight is None:
        matrix = matrix.astype(bool)
    try:
        return Graph.from_scipy(matrix, directed=directed)
    except GraphInputError as exc:
        raise GraphInputError(f"{name}: {exc}") from None


def _read_networkx(name, fmt, directed, weight) -> Graph:
    try:
        import networkx as nx
    except ImportError:
        from ..errors import MissingDependencyError
        raise MissingDependencyError(f"{name}: reading {fmt.upper()} needs networkx: "
                                     "pip install 'groggy-jit[nx]'") from None
    reader = nx.read_graphml if fmt == "graphml" else nx.read_gml
    try:
        G = reader(name)
    except Exception as exc:                 # each parser has its own error types
        raise GraphInputError(f"{name}: not a readable {fmt.upper()} file ({exc})") from None
    if all(isinstance(v, str) and v.lstrip("-").isdigit() for v in G):
        G = nx.relabel_nodes(G, int)         # integer ids stay integers, as in edge lists
    if directed is not None and directed != G.is_directed():
        G = G.to_directed() if directed else G.to_undirected()
    if weight is not None and not any(weight in d for _, _, d in G.edges(data=True)):
        weight = None                        # no edge carries it: unweighted, as networkx
    try:
        return Graph.from_networkx(G, weight=weight)
    except GraphInputError as exc:
        raise GraphInputError(f"{name}: {exc}") from None


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def _read_delimited(name, delimiter, directed, weight) -> Graph:
    """An edge list with an optional header line and integer or word node ids."""
    first = _first_line(name, delimiter)
    if first is None:
        return read_edgelist(name, directed=directed is not False, weighted=False)
    lineno, fields = first
    header = not (_is_number(fields[0]) and _is_number(fields[1] if len(fields) > 1 else "0"))
    if delimiter is None and not header and _is_integer_ids(fields):
        return read_edgelist(name, directed=directed is not False,
                             weighted=None if weight is not None else False)
    if len(fields) < 2:
        raise GraphInputError(f"{name}: line {lineno} has {len(fields)} column(s); an edge "
                              "list needs 'source target' or 'source target weight'")
    if header:
        names = [f.strip() for f in fields]
        column = names.index(weight) if weight in names else None
    else:
        column = 2 if weight is not None and len(fields) >= 3 else None
    usecols = (0, 1) if column is None else (0, 1, column)
    try:
        table = np.loadtxt(name, dtype=str, delimiter=delimiter, comments="#",
                           skiprows=lineno if header else 0, usecols=usecols, ndmin=2)
    except (ValueError, IndexError) as exc:
        raise GraphInputError(f"{name}: cannot parse edge list: {exc}") from None
    weights = None
    if column is not None:
        try:
            weights = table[:, 2].astype(np.float64)
        except ValueError as exc:
            raise GraphInputError(f"{name}: weight column: {exc}") from None
    try:
        return _from_words(table[:, 0], table[:, 1], weights, directed is not False)
    except GraphInputError as exc:
        raise GraphInputError(f"{name}: {exc}") from None


def _first_line(name, delimiter):
    with _open_text(name) as fh:
        for lineno, line in enumerate(fh, start=1):
            fields = line.split("#", 1)[0].strip()
            if fields:
                return lineno, [f.strip() for f in fields.split(delimiter)]
    return None


def _is_integer_ids(fields) -> bool:
    return all(f.lstrip("-").isdigit() for f in fields[:2])


def _from_words(src, dst, weights, directed) -> Graph:
    """Integer ids stay node indices; any other words become sorted node labels."""
    try:
        return Graph.from_edges(src.astype(np.int64), dst.astype(np.int64), weights,
                                directed=directed)
    except ValueError as exc:
        if isinstance(exc, GraphInputError):
            raise
    labels, inverse = np.unique(np.concatenate([src, dst]), return_inverse=True)
    m = len(src)
    graph = Graph.from_edges(inverse[:m], inverse[m:], weights, num_nodes=len(labels),
                             directed=directed)
    state = graph.__getstate__() | {"node_labels": labels.tolist()}
    labelled = object.__new__(Graph)
    labelled.__setstate__(state)
    return labelled
