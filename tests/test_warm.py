"""``groggy-jit warm``: catalogue kernels compiled into the cache ahead of their first call."""

import groggy_jit as gj
from groggy_jit.__main__ import main
from groggy_jit.algorithms.warm import warm_state


def test_warm_compiles_into_the_cache_and_cache_info_shows_it(capsys):
    # The run's shared cache: free when another test compiled this kernel already.
    assert main(["warm", "degree_centrality", "--processes", "1"]) == 0
    assert warm_state(["int32"])[("degree_centrality", "int32")]
    G = gj.Graph.from_edges([0, 1], [1, 2], num_nodes=3, directed=False)
    algo = gj.Algorithm.from_function(gj.degree_centrality.__wrapped__, "degree_centrality")
    algo.run(G, tier="kernel")                           # a new object: nothing loaded yet
    assert algo.stats.compiles == 0                      # loaded (disk or memory), not compiled
    capsys.readouterr()
    assert main(["cache", "info"]) == 0
    assert "degree_centrality (int32" in capsys.readouterr().out


def test_warm_refuses_unknown_names_in_one_line(capsys):
    assert main(["warm", "pagerankk"]) == 1
    err = capsys.readouterr().err
    assert "unknown algorithm(s) 'pagerankk'" in err and "pagerank" in err
    assert len(err.strip().splitlines()) == 1
