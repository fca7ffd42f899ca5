"""The command line, end to end in subprocesses, checked against the Python API."""

import csv
import io
import json
import subprocess
import sys
import textwrap

import networkx as nx
import numpy as np
import pytest
import scipy.io
import scipy.sparse as sp

import groggy_jit as gj
from groggy_jit.cli import main
from groggy_jit.cli.run import parse_params, parse_value


def cli(*args, check=True):
    done = subprocess.run([sys.executable, "-m", "groggy_jit", *map(str, args)],
                          capture_output=True, text=True, timeout=600)
    if check:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def graph_files(tmp_path_factory):
    """One small graph in each input format."""
    d = tmp_path_factory.mktemp("graphs")
    G = nx.gnm_random_graph(30, 70, seed=3)
    files = {}
    files["csv"] = d / "people.csv"
    files["csv"].write_text("source,target,weight\nann,bob,2.5\nbob,cy,1\ncy,ann,0.5\ndee,ann,1\n")
    files["tsv"] = d / "ring.tsv"
    files["tsv"].write_text("".join(f"{i}\t{(i + 1) % 9}\n" for i in range(9)))
    files["txt"] = d / "web.txt"
    files["txt"].write_text("# u v\n" + "".join(f"{u} {v}\n" for u, v in nx.gnm_random_graph(
        25, 60, seed=4, directed=True).edges()))
    files["mtx"] = d / "matrix.mtx"
    scipy.io.mmwrite(files["mtx"], nx.to_scipy_sparse_array(G).tocoo())
    files["npz"] = d / "matrix.npz"
    sp.save_npz(files["npz"], nx.to_scipy_sparse_array(G).tocsr())
    files["graphml"] = d / "graph.graphml"
    nx.write_graphml(G, files["graphml"])
    files["gml"] = d / "graph.gml"
    nx.write_gml(nx.relabel_nodes(G, {v: f"n{v}" for v in G}), files["gml"])
    files["bad"] = d / "broken.csv"
    files["bad"].write_text("source,target\n1,2\n3\n")
    return files


def test_run_over_seven_formats_matches_the_python_api(graph_files, tmp_path):
    inputs = [graph_files[k] for k in ("csv", "tsv", "txt", "mtx", "npz", "graphml", "gml")]
    out = tmp_path / "out.json"
    done = cli("run", "degree_centrality", *inputs, "--out", out)
    assert "degree_centrality: 7 of 7 graphs done" in done.stderr
    document = json.loads(out.read_text())
    assert [r["file"] for r in document["results"]] == [str(p) for p in inputs]
    for path, got in zip(inputs, document["results"]):
        expected = gj.degree_centrality.run(gj.read_graph(path)).records()
        assert got["records"] == json.loads(json.dumps(expected)), path


def test_run_one_file_prints_csv_and_the_convergence_summary(graph_files):
    done = cli("run", "pagerank", graph_files["csv"], "--param", "damping=0.5", "-p", "tol=1e-10")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    expected = gj.pagerank.run(gj.read_graph(graph_files["csv"]), damping=0.5, tol=1e-10)
    assert [r["node"] for r in rows] == ["ann", "bob", "cy", "dee"]
    assert [float(r["result"]) for r in rows] == expected.value.tolist()
    assert {int(r["iterations"]) for r in rows} == {expected.iterations}
    assert {float(r["residual"]) for r in rows} == {expected.residual}
    assert expected.residual < 4 * 1e-10            # n * tol: PageRank's test
    assert (f"{expected.iterations} iterations, converged, residual {expected.residual:.3g}"
            in done.stderr)


@pytest.mark.parametrize("args, message", [
    (["run", "pagerank", "{bad}"], "broken.csv: cannot parse edge list"),
    (["run", "pagerankk", "{csv}"], "unknown algorithm 'pagerankk' (did you mean 'pagerank'?)"),
    (["run", "pagerank", "{csv}", "-p", "damping=high"], "parameter 'damping' must be a number"),
    (["run", "pagerank", "missing.csv"], "missing.csv: no such file"),
    (["run", "pagerank", "{csv}", "--out", "x.xlsx"], "the suffix names the format"),
])
def test_a_mistake_is_one_line_and_a_nonzero_exit(graph_files, args, message):
    done = cli(*[a.format(**graph_files) for a in args], check=False)
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("groggy-jit: error: ") and message in done.stderr


def test_debug_shows_the_traceback(graph_files):
    done = cli("run", "pagerank", graph_files["bad"], "--debug", check=False)
    assert done.returncode != 0
    assert "Traceback (most recent call last)" in done.stderr and "GraphInputError" in done.stderr


def test_on_error_skip_reports_the_bad_file_writes_the_rest_and_exits_1(graph_files, capsys):
    assert main(["run", "degree_centrality", str(graph_files["tsv"]), str(graph_files["bad"]),
                 str(graph_files["csv"]), "--on-error", "skip"]) == 1
    out, err = capsys.readouterr()
    assert "skipped input 1: " in err and "broken.csv" in err
    files = {row["file"] for row in csv.DictReader(io.StringIO(out))}
    assert files == {str(graph_files["tsv"]), str(graph_files["csv"])}


def test_a_glob_is_a_pipeline_run_and_npy_holds_the_values(graph_files, tmp_path, capsys):
    out = tmp_path / "degrees.npy"
    pattern = str(graph_files["tsv"].parent / "*.tsv")
    assert main(["run", "degree_centrality", pattern, "--out", str(out), "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    expected = gj.degree_centrality(gj.read_graph(graph_files["tsv"]))
    np.testing.assert_array_equal(np.load(out), expected)


def test_list_shows_parameters_defaults_and_networkx_counterparts(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("pagerank "))
    assert "damping=0.85, max_iter=100, tol=1e-06" in line and "networkx.pagerank" in line
    assert len(out.splitlines()) == len(gj.algorithms.REGISTRY) + 1


def test_explain_a_catalogue_name_or_a_users_function(tmp_path, capsys):
    assert main(["explain", "degree_centrality"]) == 0
    out = capsys.readouterr().out
    for part in ("== traced IR", "== passes", "== plan", "== generated source", "def kernel("):
        assert part in out
    module = tmp_path / "my_algorithms.py"
    module.write_text(textwrap.dedent("""
        def doubled_degree(sG):
            return sG.nodes(1.0).degrees() * 2.0
    """))
    assert main(["explain", f"{module}:doubled_degree"]) == 0
    assert "doubled_degree" in capsys.readouterr().out
    assert main(["explain", f"{module}:nothing"]) == 1
    assert "has no algorithm or function named 'nothing'" in capsys.readouterr().err


def test_bench_lists_the_checkout_benchmarks_and_refuses_unknown_ones(capsys):
    assert main(["bench"]) == 0
    assert "  pagerank" in capsys.readouterr().out
    assert main(["bench", "nonsense"]) == 1
    assert "unknown benchmark 'nonsense'" in capsys.readouterr().err


def test_bench_with_options_and_no_name_runs_the_whole_suite(monkeypatch):
    import groggy_jit.cli.maintenance as maintenance
    calls = []
    monkeypatch.setattr(maintenance.subprocess, "call", lambda cmd, cwd: calls.append(cmd) or 0)
    assert main(["bench", "--quick", "--out", "x"]) == 0
    assert main(["bench", "all", "--quick", "--out", "x"]) == 0
    assert calls == [[sys.executable, "-m", "bench", "--quick", "--out", "x"]] * 2
    with pytest.raises(SystemExit):                 # other commands still refuse strays
        main(["list", "--quick"])


def test_parameter_values_read_as_python_would_write_them():
    assert parse_params(["damping=0.9", "max_iter=5", "normalized=false", "source=alice"]) == {
        "damping": 0.9, "max_iter": 5, "normalized": False, "source": "alice"}
    assert parse_value("1e-6") == 1e-6 and parse_value("True") is True
    with pytest.raises(gj.UsageError, match="NAME=VALUE"):
        parse_params(["damping"])
