"""``groggy-jit run ALGO FILE...``: one algorithm over graph files, results as a table."""

from __future__ import annotations

import csv
import glob
import json
import os
import sys

from ..errors import MissingDependencyError, PipelineError, UsageError
from .catalogue import resolve_algorithm

OUTPUT_FORMATS = ("csv", "parquet", "npy", "json")


def parse_value(text: str):
    """A parameter value from the command line: a bool, int or float if it reads as one,
    else the text itself (a node label, for instance)."""
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_params(pairs: list[str]) -> dict:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--param {pair!r}: write it as NAME=VALUE, e.g. --param damping=0.9")
        params[name.strip()] = parse_value(value.strip())
    return params


def expand_files(args: list[str]) -> list[str]:
    """Files as given; a directory means its files, a glob the files it matches (sorted)."""
    files = []
    for arg in args:
        if os.path.isdir(arg):
            inside = sorted(os.path.join(arg, f) for f in os.listdir(arg)
                            if not f.startswith(".") and os.path.isfile(os.path.join(arg, f)))
            if not inside:
                raise UsageError(f"{arg}: the directory holds no files")
            files += inside
        elif os.path.exists(arg):
            files.append(arg)
        elif glob.has_magic(arg):
            matched = sorted(glob.glob(arg, recursive=True))
            if not matched:
                raise UsageError(f"{arg}: no file matches this pattern")
            files += matched
        else:
            raise UsageError(f"{arg}: no such file")
    return files


def output_format(path: str | None, algo) -> str:
    if path is None:
        return "csv"
    suffix = os.path.splitext(path)[1].lstrip(".").lower()
    if suffix not in OUTPUT_FORMATS:
        raise UsageError(f"--out {path}: the suffix names the format; use one of "
                         f"{', '.join('.' + f for f in OUTPUT_FORMATS)}")
    if suffix == "parquet":
        try:
            import pandas  # noqa: F401
            import pyarrow  # noqa: F401
        except ImportError:
            raise MissingDependencyError(f"--out {path}: Parquet needs pandas and pyarrow: "
                                         "pip install pandas pyarrow") from None
    if suffix == "npy" and len(algo.ir.outputs) != 1:
        names = ", ".join(name for name, _ in algo.ir.outputs)
        raise UsageError(f"--out {path}: a .npy file holds one array, but {algo.name} has "
                         f"outputs {names}; use .csv, .parquet or .json")
    return suffix


class Sink:
    """Collects results and writes them; CSV is written as results arrive."""

    def __init__(self, fmt: str, path: str | None, several: bool, algo, params: dict):
        self.fmt, self.path, self.several = fmt, path, several
        self.algo, self.params = algo, params
        self.items, self.failures = [], []
        self.writer = None
        self.stream = None
        if fmt == "csv":
            self.stream = sys.stdout if path is None else open(path, "w", newline="",
                                                                encoding="utf-8")

    def rows(self, source: str, result) -> list[dict]:
        rows = result.records()
        return [{"file": source} | row for row in rows] if self.several else rows

    def add(self, source: str, result) -> None:
        if self.fmt == "csv":
            rows = self.rows(source, result)
            if self.writer is None and rows:
                self.writer = csv.DictWriter(self.stream, fieldnames=list(rows[0]),
                                             lineterminator="\n")
                self.writer.writeheader()
            self.writer.writerows(rows)
            self.stream.flush()
        else:
            self.items.append((source, result))

    def fail(self, failure) -> None:
        self.failures.append(failure)

    def close(self) -> None:
        if self.fmt == "csv":
            if self.stream is not sys.stdout:
                self.stream.close()
        elif self.fmt == "parquet":
            import pandas as pd
            rows = [row for source, result in self.items for row in self.rows(source, result)]
            pd.DataFrame.from_records(rows).to_parquet(self.path, index=False)
        elif self.fmt == "npy":
            import numpy as np
            arrays = [np.asarray(result.value) for _, result in self.items]
            np.save(self.path, np.concatenate(arrays) if len(arrays) != 1 else arrays[0])
        else:
            self._write_json()

    def _write_json(self) -> None:
        results = [{"file": source, "nodes": result.graph.num_nodes,
                    "arcs": result.graph.num_edges, **result.loop_summary(),
                    "seconds": result.times.get("run"), "records": result.records()}
                   for source, result in self.items]
        document = {"algorithm": self.algo.name, "params": self.params, "results": results,
                    "failures": [{"file": f.source, "error": str(f.error)}
                                 for f in self.failures]}
        with open(self.path, "w", encoding="utf-8") as f:
            json.dump(document, f, indent=1, default=str)


def summary(name: str, source: str, result) -> str:
    g = result.graph
    text = f"{name} on {source}: {g.num_nodes:,} nodes, {g.num_edges:,} arcs"
    if result.loops:
        state = "converged" if result.converged else "did not converge" \
            if result.converged is False else "fixed count"
        text += f"; {result.iterations} iterations, {state}"
        if result.residual is not None:
            text += f", residual {result.residual:.3g}"
    return text + f"; {result.times.get('run', 0.0) * 1e3:.2f} ms"


def run_command(args) -> int:
    from ..pipeline import Failure
    from ..runtime import notice
    if args.quiet:
        notice.enabled = False
    algo = resolve_algorithm(args.algorithm)
    params = parse_params(args.param)
    algo(**params)             # unknown names and bad values fail before any file is read
    files = expand_files(args.files)
    fmt = output_format(args.out, algo)
    read_options = {"directed": args.directed, "weight": args.weight, "format": args.format}
    items = algo.map(files, threads=args.threads, on_error=args.on_error,
                     progress=False if args.quiet or len(files) == 1 else None, stream=True,
                     read_options=read_options, **params)
    sink = Sink(fmt, args.out, len(files) > 1, algo, params)
    done = converged = looped = 0
    try:
        for source, item in zip(files, items, strict=True):   # strict: runs the map to its end
            if isinstance(item, Failure):
                print(f"groggy-jit: skipped {item}", file=sys.stderr)
                sink.fail(item)
                continue
            sink.add(source, item)
            done += 1
            converged += bool(item.converged)
            looped += bool(item.loops)
            if len(files) == 1 and not args.quiet:
                print(summary(algo.name, source, item), file=sys.stderr)
    except PipelineError as error:
        raise UsageError(error.failure.message if len(files) == 1 else str(error)) from error
    finally:
        sink.close()
    if len(files) > 1 and not args.quiet:
        loops = f", {converged} converged" if looped else ""
        print(f"{algo.name}: {done} of {len(files)} graphs done{loops}"
              + (f", {len(sink.failures)} skipped" if sink.failures else ""), file=sys.stderr)
    return 1 if sink.failures else 0
