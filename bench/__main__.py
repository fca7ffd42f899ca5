"""``python -m bench``: groggy-jit against the libraries users would use instead.

Runs every kernel (PageRank in GAP mode and for 20 iterations, connected
components, BFS, SSSP, triangle count, sampled betweenness) on every graph
with every implementation installed (generated, hand-written, scipy, networkx,
networkx through groggy-jit's backend, igraph, networkit,
graphblas-algorithms; ``pip install '.[bench]'``), checks every output
against a reference, and writes ``results.json``, ``results.md`` and PNG
plots to ``--out``. ``--publish`` also writes ``bench/RESULTS.md`` and the
plots under ``bench/plots/``.

    python -m bench --quick               # a few minutes on 2 cores
    python -m bench                       # the full run (kron16-20, urand16-20, grids, roads)
    python -m bench --graphs kron10 grid32 --kernels cc bfs --repeat 3
"""

from __future__ import annotations

from groggy_jit.runtime.launch import prepare_threads

# groggy-jit's thread layer and wait policy, chosen before any library starts threads (the
# hand-written kernels run first), so every Numba kernel runs as groggy-jit's users get it.
prepare_threads()

import argparse  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
# Smallest first, so that each row's time can be predicted from a smaller graph's.
FULL = ["minnesota", "grid256", "road256", "kron16", "urand16", "grid512", "road512", "kron18", "urand18",
        "grid1024", "road1024", "kron20", "urand20"]
QUICK = ["minnesota", "grid64", "grid128", "road128", "kron14", "kron16"]
PRESETS = {  # graphs, repeat, per-row time budget (s), per-row cap (s), triad array MiB
    "full": (FULL, 5, 10.0, 120.0, 512),
    "quick": (QUICK, 3, 1.0, 4.0, 128),
}


def _progress():
    """A progress bar on stderr (tqdm when installed, else one line per step)."""
    try:
        from tqdm import tqdm
    except ImportError:
        tqdm = None
    bar, started = None, time.perf_counter()

    def say(done, total, text):
        nonlocal bar
        if tqdm is None:
            print(f"[{done}/{total} {time.perf_counter() - started:5.0f} s] {text}", file=sys.stderr, flush=True)
            return
        if bar is None:
            bar = tqdm(total=total, unit="row", file=sys.stderr, dynamic_ncols=True)
        bar.update(done - bar.n)
        bar.set_description_str(text[:60])

    def close():
        if bar is not None:
            bar.close()

    return say, close


def _positive(kind):
    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return value
    return parse


def parse_args(argv=None):
    from .graphs import graph_spec
    from .peers import KERNELS, libraries

    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n".join(__doc__.splitlines()[1:]))
    p.add_argument("--quick", action="store_true", help="small graphs, fewer runs: a few minutes")
    p.add_argument("--graphs", nargs="+", help="graph names (kron<s>, urand<s>, grid<k>, road<k>, minnesota)")
    p.add_argument("--kernels", nargs="+", choices=KERNELS, default=list(KERNELS))
    p.add_argument("--libraries", nargs="+", help="only these implementations (e.g. groggy-jit scipy)")
    p.add_argument("--threads", type=_positive(int), help="threads for every parallel library (default: all cores)")
    p.add_argument("--repeat", type=_positive(int), help="timed runs after the warm-up (default 5, quick 3)")
    p.add_argument("--budget", type=_positive(float), help="seconds of timed runs per row before repeats are cut")
    p.add_argument("--cap", type=_positive(float), help="seconds a row may take: rows predicted to take longer are "
                                             "reported as over budget")
    p.add_argument("--out", type=Path, default=HERE / "results", help="output folder (default bench/results)")
    p.add_argument("--publish", action="store_true", help="also write bench/RESULTS.md and bench/plots/")
    p.add_argument("--no-cache", action="store_true", help="regenerate the graphs, do not cache them")
    p.add_argument("--bandwidth-mib", type=_positive(int), help="size of each triad array (default 512, quick 128)")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    args = p.parse_args(argv)
    for name in args.graphs or ():
        try:
            graph_spec(name)  # an unknown name fails now, not an hour in
        except ValueError as exc:
            p.error(str(exc))
    names = [lib.name for lib in libraries()]
    unknown = sorted(set(args.libraries or ()) - set(names))
    if unknown:
        p.error(f"unknown libraries {unknown}: choose from {', '.join(names)}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    graphs, repeat, budget, cap, triad_mib = PRESETS["quick" if args.quick else "full"]
    from . import report
    from .bandwidth import triad_gbps
    from .suite import run_suite

    graphs = args.graphs or graphs
    say, close = _progress()
    started = time.perf_counter()
    try:
        results = run_suite(graphs, args.kernels, only=args.libraries, threads=args.threads,
                            repeat=args.repeat or repeat, budget=args.budget or budget,
                            cap=args.cap or cap, cache=not args.no_cache, progress=say)
        say(len(results["rows"]), len(results["rows"]), "streaming bandwidth")
        results["triad_gbps"] = triad_gbps((args.bandwidth_mib or triad_mib) << 17)
    finally:
        close()
    results["environment"]["command"] = "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
    results["pagerank_gbps"] = report.pagerank_gbps(results)
    results["seconds"] = time.perf_counter() - started
    args.out.mkdir(parents=True, exist_ok=True)
    report.write_json(results, args.out / "results.json")
    text = report.markdown(results) + f"\nWhole run: {results['seconds']:.0f} s.\n"
    (args.out / "results.md").write_text(text)
    plots = [] if args.no_plots else [("ratio_to_best_peer.png", report.plot_ratios),
                                      ("time_vs_size.png", report.plot_scaling),
                                      ("pagerank_bandwidth.png", report.plot_bandwidth)]
    for name, plot in plots:
        plot(results, args.out / name)
    print(text)
    print(f"written: {args.out}/results.json, results.md" + "".join(f", {n}" for n, _ in plots))
    if args.publish:
        (HERE / "plots").mkdir(exist_ok=True)
        for name, _ in plots:
            shutil.copy(args.out / name, HERE / "plots" / name)
        (HERE / "RESULTS.md").write_text(text + "".join(f"\n![{n}](plots/{n})\n" for n, _ in plots))
        print("published: bench/RESULTS.md, bench/plots/")
    bad = [r for r in results["rows"] if r["status"] in ("mismatch", "error")]
    return 1 if any(r["role"] in ("generated", "hand-written") for r in bad) else 0


if __name__ == "__main__":
    sys.exit(main())
