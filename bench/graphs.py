"""The benchmark's graphs: synthetic families in several sizes and one real road network.

Every graph is undirected, stored as a symmetric CSR without self loops or
duplicate arcs (GAP's convention), generated deterministically from a seed and
cached under ``bench/.data/`` with a checksum (``bench.common.cached_csr``).

* ``kron<s>``: Graph500 Kronecker, scale ``s``, edge factor 16 (GAP ``kron``);
* ``urand<s>``: uniform random, ``2**s`` nodes, edge factor 16 (GAP ``urand``);
* ``grid<k>``: the ``k x k`` 2-D grid, diameter ``2k - 2``;
* ``road<k>``: road-like: the ``k x k`` grid with a quarter of its streets
  closed and one node in a hundred linked to a node a few blocks away, average
  degree about 3 and a diameter of the order of ``2k``, like a road map;
* ``minnesota``: the Minnesota road network (2,642 intersections), the real
  graph that the ``pygsp`` package ships (``pip install pygsp``).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import scipy.sparse as sp

from .common import cached_csr, edges_to_csr, kron_graph_csr, urand_graph_csr

__all__ = ["GraphSpec", "graph_spec", "grid_edges", "road_edges", "minnesota_csr"]


@dataclass(frozen=True)
class GraphSpec:
    """One benchmark graph: ``load(cache)`` returns its symmetric CSR."""

    name: str
    family: str
    load: Callable[[bool], sp.csr_array]
    note: str = ""
    available: bool = True
    high_diameter: bool = False  # grids and roads: traversals take thousands of rounds


def grid_edges(side: int):
    """Edges of the ``side x side`` grid, node ``i * side + j`` at row ``i``, column ``j``."""
    ids = np.arange(side * side, dtype=np.int64).reshape(side, side)
    src = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    dst = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    return src, dst, side * side


def road_edges(side: int, closed=0.25, shortcut=0.01, reach=4, seed=0):
    """A road-like graph: the grid with a fraction ``closed`` of its edges removed
    and a fraction ``shortcut`` of the nodes linked to a node up to ``reach``
    blocks away in each direction."""
    rng = np.random.default_rng(seed)
    src, dst, n = grid_edges(side)
    keep = rng.random(src.size) >= closed
    src, dst = src[keep], dst[keep]
    starts = np.flatnonzero(rng.random(n) < shortcut)
    row = np.clip(starts // side + rng.integers(-reach, reach + 1, starts.size), 0, side - 1)
    col = np.clip(starts % side + rng.integers(-reach, reach + 1, starts.size), 0, side - 1)
    return np.concatenate([src, starts]), np.concatenate([dst, row * side + col]), n


_MINNESOTA = ("pygsp", "data/pointclouds/minnesota.mat")


def _package_file(package: str, relative: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    return path if path.exists() else None


def minnesota_csr(cache: bool = True) -> sp.csr_array:
    """The Minnesota road network shipped by ``pygsp`` (read without importing it)."""
    from scipy.io import loadmat

    path = _package_file(*_MINNESOTA)
    if path is None:
        raise FileNotFoundError("the Minnesota road graph comes with pygsp: pip install pygsp")

    def build():
        A = sp.coo_array(loadmat(path)["A"])
        return edges_to_csr(A.row, A.col, A.shape[0])

    return cached_csr("minnesota", build, cache)


def _synthetic(name: str, edges: Callable[[], tuple]) -> Callable[[bool], sp.csr_array]:
    return lambda cache: cached_csr(name, lambda: edges_to_csr(*edges()), cache)


def graph_spec(name: str) -> GraphSpec:
    """The ``GraphSpec`` for a name such as ``kron18``, ``urand16``, ``grid1024``, ``road512``
    or ``minnesota``."""
    family = name.rstrip("0123456789")
    size = name[len(family):]
    if family == "minnesota" and not size:
        return GraphSpec(name, "road (real)", minnesota_csr, "Minnesota road network (pygsp)",
                         _package_file(*_MINNESOTA) is not None, high_diameter=True)
    if not size or family not in ("kron", "urand", "grid", "road"):
        raise ValueError(f"unknown graph {name!r}: use kron<scale>, urand<scale>, grid<side>, "
                         "road<side> or minnesota")
    k = int(size)
    if family == "kron":
        return GraphSpec(name, family, lambda cache: kron_graph_csr(k, cache=cache)[0],
                         f"Kronecker scale {k}, edge factor 16")
    if family == "urand":
        return GraphSpec(name, family, lambda cache: urand_graph_csr(k, cache=cache)[0],
                         f"uniform random, 2^{k} nodes, edge factor 16")
    if family == "grid":
        return GraphSpec(name, family, _synthetic(f"grid_{k}", lambda: grid_edges(k)),
                         f"{k} x {k} grid", high_diameter=True)
    return GraphSpec(name, family, _synthetic(f"road_{k}_seed0", lambda: road_edges(k)),
                     f"road-like {k} x {k} grid", high_diameter=True)
