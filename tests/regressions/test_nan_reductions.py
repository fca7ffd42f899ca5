"""NaN and signed zeros in reductions: kernel and interpreter disagree (found by fuzzing)."""

import numpy as np
import pytest

import groggy_jit as gj


def assert_run_matches_interpreter(algo, graph):
    want = algo.interpret(graph).values
    got = algo.run(graph).values
    for name in want:
        np.testing.assert_array_equal(got[name], want[name], err_msg=name)


def test_min_max_reductions_treat_nan_like_the_interpreter():
    b = gj.AlgorithmBuilder("nan_minmax")
    x = b.init_nodes(unique=True).astype("f64")
    y = (x == 1.0).where(float("nan"), x)            # [0.0, nan, 2.0]
    b.attach_as("max", y.reduce("max"))               # interpreter nan, kernel 2.0
    b.attach_as("min", y.reduce("min"))               # interpreter nan, kernel 0.0
    b.attach_as("pull_max", b.pull(y, over="in", reduce="max"))
    b.attach_as("pull_min", b.pull(y, over="in", reduce="min"))
    graph = gj.Graph.from_edges([0, 1, 2, 0], [1, 0, 0, 2], num_nodes=3, directed=True)
    assert_run_matches_interpreter(b.build(), graph)


def test_mode_counts_nan_like_the_interpreter():
    b = gj.AlgorithmBuilder("nan_mode")
    x = b.init_nodes(unique=True).astype("f64")
    y = (x >= 2.0).where(float("nan"), 5.0)          # [5, 5, nan, nan]
    b.attach_as("mode", b.pull(y, over="in", reduce="mode"))
    # node 0 hears 5, nan, nan: interpreter nan, kernel 5.0
    graph = gj.Graph.from_edges([1, 2, 3, 0], [0, 0, 0, 1], num_nodes=4, directed=True)
    assert_run_matches_interpreter(b.build(), graph)


def test_mode_of_signed_zeros_like_the_interpreter():
    b = gj.AlgorithmBuilder("zero_mode")
    x = b.init_nodes(unique=True)
    y = (x == 2).where(-0.0, 0.0)                     # node 1: 0.0, node 2: -0.0
    m = b.pull(y, over="in", reduce="mode")
    b.attach_as("inverse", 1.0 / m)
    graph = gj.Graph.from_edges([1, 2], [0, 0], num_nodes=3, directed=True)
    assert_run_matches_interpreter(b.build(), graph)


def test_scatter_min_lets_nan_win_like_the_interpreter():
    # out = x; out[index[i]] = min(out[index[i]], values[i]): NaN on either side wins,
    # as np.minimum does (the kernel's builtin min kept the first argument).
    b = gj.AlgorithmBuilder("nan_scatter")
    index = b.init_nodes(unique=True)
    x = index.astype("f64")
    values = (index == 0).where(float("nan"), -1.0)          # [nan, -1, -1]
    base = (index == 2).where(float("nan"), x)               # [0, 1, nan]
    b.attach_as("into_numbers", x.scatter_min(index * 0, values))   # all onto node 0
    b.attach_as("into_nan", base.scatter_min(index, values))
    graph = gj.Graph.from_edges([], [], num_nodes=3, directed=True)
    out = b.build().interpret(graph).values
    assert np.isnan(out["into_numbers"][0]) and np.isnan(out["into_nan"][2])
    assert_run_matches_interpreter(b.build(), graph)
