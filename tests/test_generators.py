"""Tests of the deterministic graph generators."""

import numpy as np
import pytest

from groggy_jit.errors import GraphInputError
from groggy_jit.graph.generators import kronecker_edges, uniform_random_edges


def _check_edges(src, dst, n):
    assert src.dtype == np.int64 and dst.dtype == np.int64
    assert src.shape == dst.shape and src.ndim == 1
    if src.size:
        assert src.min() >= 0 and dst.min() >= 0
        assert src.max() < n and dst.max() < n
    assert not np.any(src == dst), "self loops must be removed"


# ---------------------------------------------------------------- kronecker


@pytest.mark.parametrize("scale", [1, 4, 10, 12])
def test_kronecker_shape_range_no_self_loops(scale):
    src, dst, n = kronecker_edges(scale, edge_factor=16, seed=3)
    assert n == 2**scale
    _check_edges(src, dst, n)
    drawn = 16 * n
    assert src.size <= drawn
    if scale >= 10:
        # self loops are rare on a graph of this size
        assert src.size >= 0.97 * drawn


def test_kronecker_deterministic():
    a = kronecker_edges(10, edge_factor=8, seed=7)
    b = kronecker_edges(10, edge_factor=8, seed=7)
    c = kronecker_edges(10, edge_factor=8, seed=8)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert a[2] == b[2] == c[2]
    assert a[0].shape != c[0].shape or not (
        np.array_equal(a[0], c[0]) and np.array_equal(a[1], c[1])
    )


def test_kronecker_pinned_output():
    # Guards the draw order: cached benchmark graphs rely on it.
    src, dst, n = kronecker_edges(6, 4, seed=0)
    assert n == 64 and src.size == 246
    assert src[:8].tolist() == [57, 4, 37, 0, 63, 16, 16, 16]
    assert dst[:8].tolist() == [10, 44, 17, 16, 36, 0, 36, 10]
    assert int((src * n + dst).sum()) == 444846


def test_kronecker_degree_skewed():
    src, dst, n = kronecker_edges(12, edge_factor=16, seed=0)
    deg = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
    assert deg.max() > 20 * deg.mean()
    # many nodes get no edge at all in Kronecker graphs
    assert np.count_nonzero(deg == 0) > 0.1 * n


def test_kronecker_vertex_ids_permuted():
    # Without the permutation, node 0 (all-"a" quadrant) would be the hub.
    src, dst, n = kronecker_edges(12, edge_factor=16, seed=0)
    deg = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
    assert int(np.argmax(deg)) != 0


def test_kronecker_quadrant_probabilities():
    # scale 1: before relabelling, quadrant b is 0 -> 1 and c is 1 -> 0;
    # a and d are self loops and get dropped.
    m = 20000
    src, dst, n = kronecker_edges(1, edge_factor=m // 2, a=0.5, b=0.3, c=0.1, seed=1)
    assert n == 2
    assert abs(src.size / m - 0.4) < 0.02
    share = sorted([np.mean(src == 0), np.mean(src == 1)])
    assert abs(share[0] - 0.25) < 0.02 and abs(share[1] - 0.75) < 0.02


def test_kronecker_degenerate_initiator():
    # a = 1: every edge lands on the diagonal, so all are self loops
    src, dst, n = kronecker_edges(5, edge_factor=4, a=1.0, b=0.0, c=0.0)
    assert n == 32 and src.size == 0 and dst.size == 0
    # d = 0 is allowed
    src, dst, n = kronecker_edges(5, edge_factor=4, a=0.5, b=0.25, c=0.25)
    _check_edges(src, dst, n)


def test_kronecker_scale_zero_and_no_edges():
    src, dst, n = kronecker_edges(0)
    assert n == 1 and src.size == 0
    src, dst, n = kronecker_edges(6, edge_factor=0)
    assert n == 64 and src.size == 0 and src.dtype == np.int64


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(scale=-1),
        dict(scale=2.5),
        dict(scale=4, edge_factor=-1),
        dict(scale=4, a=0.6, b=0.3, c=0.3),
        dict(scale=4, a=-0.1),
        dict(scale=4, b="x"),
    ],
)
def test_kronecker_bad_arguments(kwargs):
    with pytest.raises(GraphInputError):
        kronecker_edges(**kwargs)


# ------------------------------------------------------------------ uniform


def test_uniform_shape_range_no_self_loops():
    src, dst, n = uniform_random_edges(1000, 16000, seed=5)
    assert n == 1000
    _check_edges(src, dst, n)
    # a self loop has probability 1/n per edge
    assert 15900 <= src.size <= 16000


def test_uniform_deterministic():
    a = uniform_random_edges(500, 4000, seed=1)
    b = uniform_random_edges(500, 4000, seed=1)
    c = uniform_random_edges(500, 4000, seed=2)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not (np.array_equal(a[0][:100], c[0][:100]) and np.array_equal(a[1][:100], c[1][:100]))


def test_uniform_degree_not_skewed():
    src, dst, n = uniform_random_edges(4096, 16 * 4096, seed=0)
    deg = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
    assert deg.max() < 2 * deg.mean()


def test_uniform_edge_cases():
    src, dst, n = uniform_random_edges(0, 0)
    assert n == 0 and src.size == 0 and src.dtype == np.int64
    src, dst, n = uniform_random_edges(1, 10)  # only self loops possible
    assert n == 1 and src.size == 0
    with pytest.raises(GraphInputError):
        uniform_random_edges(0, 5)
    with pytest.raises(GraphInputError):
        uniform_random_edges(10, -1)
    with pytest.raises(GraphInputError):
        uniform_random_edges(-3, 1)
