"""The ``groggy-jit`` command line (also ``python -m groggy_jit``).

Commands: ``run`` (an algorithm over graph files), ``list`` (the catalogue),
``explain`` (IR, passes, plan and source), ``cache info|clear``, ``warm``, ``demo`` and
``bench``.  A mistake costs one line on stderr and a non-zero exit code;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import sys

from ..errors import GroggyJITError

__all__ = ["main"]

# Exit codes: a user mistake, argparse's usage errors, some inputs of a run skipped.
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (no usage block) and exit code 2."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from ..graph.formats import GRAPH_FORMATS
    from .run import OUTPUT_FORMATS
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback of an error")
    parser = _Parser(prog="groggy-jit", parents=[common],
                     description="Graph algorithms compiled to one parallel native kernel.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                metavar="COMMAND")

    r = sub.add_parser("run", parents=[common], help="run an algorithm on graph files",
                       description="Run ALGO on each FILE (several files or a glob: a pipeline "
                       "run, one kernel for all).")
    r.add_argument("algorithm", metavar="ALGO",
                   help="a catalogue name (see `list`) or pkg.module:function")
    r.add_argument("files", metavar="FILE", nargs="+",
                   help="graph files or quoted globs: edge lists (.txt/.csv/.tsv, "
                   ".gz/.bz2), .mtx, .npz, .graphml, .gml")
    r.add_argument("-p", "--param", action="append", default=[], metavar="K=V",
                   help="an algorithm parameter, e.g. --param damping=0.9 (repeatable)")
    r.add_argument("--weight", default="weight", metavar="ATTR",
                   help="edge attribute or header column holding weights (default: weight)")
    r.add_argument("--unweighted", dest="weight", action="store_const", const=None,
                   help="ignore edge weights")
    direction = r.add_mutually_exclusive_group()
    direction.add_argument("--directed", dest="directed", action="store_const", const=True,
                           default=None, help="read every graph as directed")
    direction.add_argument("--undirected", dest="directed", action="store_const", const=False,
                           help="read every graph as undirected")
    r.add_argument("--format", choices=GRAPH_FORMATS,
                   help="file format, when the file names do not say")
    r.add_argument("-o", "--out", metavar="PATH",
                   help=f"write results to PATH ({'/'.join(OUTPUT_FORMATS)} by its suffix); "
                   "default: CSV on stdout")
    r.add_argument("--threads", type=int, default=1, metavar="N",
                   help="graphs run at once on a thread pool (default 1)")
    r.add_argument("--on-error", choices=["raise", "skip"], default="raise",
                   help="stop at the first bad file (raise, default) or report it and go on "
                   "(skip; the exit code is then 1)")
    r.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar, compile notice or summary")

    sub.add_parser("list", parents=[common],
                   help="the catalogue: parameters, defaults, networkx counterpart")
    e = sub.add_parser("explain", parents=[common],
                       help="print the IR, the passes, the plan and the generated source")
    e.add_argument("algorithm", metavar="ALGO",
                   help="a catalogue name or pkg.module:function")

    c = sub.add_parser("cache", parents=[common], help="inspect or clear the kernel cache")
    c.add_argument("action", choices=["info", "clear"])
    w = sub.add_parser("warm", parents=[common],
                       help="compile catalogue kernels into the cache ahead of their first call")
    w.add_argument("algorithms", nargs="*", metavar="ALGO", help="catalogue names (all)")
    w.add_argument("--dtype", dest="dtypes", action="append", choices=["int32", "int64"],
                   help="index dtype of the graphs to expect (repeatable; default int32)")
    w.add_argument("--processes", type=int, metavar="N",
                   help="compiles at once (default: one per core)")

    d = sub.add_parser("demo", parents=[common],
                       help="run the catalogue on a generated graph, with timings")
    d.add_argument("--scale", type=int, default=16, help="Kronecker scale: 2**scale nodes (16)")
    d.add_argument("--repeat", type=int, default=5, help="timed runs per algorithm (5)")
    d.add_argument("--fresh", action="store_true",
                   help="use an empty temporary cache, to see cold compile times")

    b = sub.add_parser("bench", parents=[common],
                       help="run a benchmark of a source checkout (python -m bench.NAME)")
    b.add_argument("name", nargs="?", help="the benchmark; none: list them, or with options "
                                          "(e.g. --quick) run 'all'")
    b.add_argument("args", nargs=argparse.REMAINDER, help="its own options")

    p = sub.add_parser("_warm_probe")
    p.add_argument("name")
    p.add_argument("scale", type=int)
    return parser


def dispatch(args) -> int:
    if args.command == "run":
        from .run import run_command
        return run_command(args)
    if args.command == "list":
        from .catalogue import list_command
        return list_command()
    if args.command == "explain":
        from .catalogue import explain_command
        return explain_command(args.algorithm)
    if args.command == "cache":
        from .maintenance import cache_command
        return cache_command(args.action)
    if args.command == "warm":
        from .maintenance import warm_command
        return warm_command(args.algorithms, args.dtypes or ["int32"], args.processes)
    if args.command == "bench":
        from .maintenance import bench_command
        return bench_command(args.name, args.args)
    from .demo import demo, warm_probe
    if args.command == "demo":
        return demo(args.scale, args.repeat, args.fresh)
    return warm_probe(args.name, args.scale)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["bench"] and len(argv) > 1 and argv[1].startswith("-") \
            and argv[1] not in ("-h", "--help", "--debug"):
        argv = ["bench", "all", *argv[1:]]         # groggy-jit bench --quick: the whole suite
    args = build_parser().parse_args(argv)
    debug = getattr(args, "debug", False)
    try:
        return dispatch(args)
    except (GroggyJITError, OSError) as error:
        if debug:
            raise
        print(f"groggy-jit: error: {one_line(error)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        if debug:
            raise
        print("groggy-jit: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def one_line(error: BaseException) -> str:
    """An error as one line: its message (the file for OS errors), never a traceback."""
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.filename}: {error.strerror or error}"
    text = " ".join(str(error).split())
    return text or type(error).__name__
