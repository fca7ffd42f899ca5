"""The benchmark's outputs: JSON, a Markdown table, and matplotlib plots."""

from __future__ import annotations

import json
import math
from pathlib import Path

from .bandwidth import pagerank_bytes
from .common import fmt_ms
from .peers import TITLES
from .suite import fmt_ratio, ratios

__all__ = ["pagerank_gbps", "write_json", "markdown", "plot_ratios", "plot_scaling", "plot_bandwidth"]

PR_BANDWIDTH_KERNEL = "pagerank_20"  # every library that runs it does exactly 20 iterations


def pagerank_gbps(results):
    """``[{graph, library, gbps}]``: bytes a pull PageRank must stream / time, fixed 20 iterations."""
    graphs = {g["name"]: g for g in results["graphs"]}
    out = []
    for r in results["rows"]:
        if r["kernel"] == PR_BANDWIDTH_KERNEL and r["status"] == "ok":
            g = graphs[r["graph"]]
            moved = pagerank_bytes(g["nodes"], g["arcs"], g["index_bytes"], 20)
            out.append({"graph": r["graph"], "library": r["library"],
                        "gbps": moved / (r["median_ms"] / 1e3) / 1e9})
    return out


def write_json(results, path: Path):
    path.write_text(json.dumps(results, indent=1, default=str))


def _cell(row):
    if row["status"] == "ok":
        flag = "*" if row["detail"] else ""
        return fmt_ms(row["median_ms"]) + flag
    return {"missing": "n/a", "over budget": "over budget", "mismatch": "WRONG", "error": "error"}[row["status"]]


def markdown(results) -> str:
    """The whole report as Markdown: environment, summary ratios, per-graph tables, notes."""
    env, rows, kernels = results["environment"], results["rows"], results["kernels"]
    libs = list(dict.fromkeys(r["library"] for r in rows))
    serial = set(env["single_threaded"])
    lines = ["# groggy-jit benchmark", "", f"Command: `{env['command']}`", ""]
    lines += [f"- CPU: {env['cpu']} ({env['cores']} cores); {env['threads']} threads for every "
              f"parallel library; Numba threading layer {env['numba_threading_layer']}; "
              f"OMP_WAIT_POLICY={env['OMP_WAIT_POLICY']}",
              f"- single-threaded: {', '.join(env['single_threaded'])}",
              "- versions: " + ", ".join(f"{k} {v}" for k, v in env["versions"].items())
              + f", numpy {env['numpy']}, Python {env['python']}; commit {env['commit']}"]
    for name, why in env["missing"].items():
        lines.append(f"- {name}: {why}")
    if "triad_gbps" in results:
        lines.append(f"- streaming bandwidth (triad, same run, {env['threads']} threads): "
                     f"{results['triad_gbps']:.1f} GB/s")
    lines += ["", "Times are medians in ms of the timed runs after one warm-up run, graph construction "
              "excluded; the libraries of a graph and kernel take turns, one call each; every output was checked against the reference first (WRONG: it failed the "
              "check; `*`: see the notes).", ""]
    lines += ["## Ratios", "", "gen / hand: generated over hand-written time (target <= 1.15); "
              "peer / gen: the best peer's time over generated (above 1: groggy-jit is faster).", ""]
    header = ["kernel"] + [g["name"] for g in results["graphs"]]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for k in kernels:
        cells = [TITLES[k]]
        for g in results["graphs"]:
            gh, pg, peer = ratios(rows, g["name"], k)
            cells.append(f"{fmt_ratio(gh)} / {fmt_ratio(pg)}" + (f" ({peer})" if peer else ""))
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Each cell: gen / hand, then peer / gen (best peer).", ""]
    notes = []
    for g in results["graphs"]:
        lines += [f"## {g['name']}: {g['note']}", "",
                  f"{g['nodes']:,} nodes, {g['arcs']:,} arcs (symmetric), load {g['load_s']:.2f} s, "
                  f"source {g['source']}", ""]
        heads = [f"{lib} (1 thread)" if lib in serial else lib for lib in libs]
        lines += ["| kernel | " + " | ".join(heads) + " |", "|" + "---|" * (len(libs) + 1)]
        for k in kernels:
            cells = [TITLES[k]]
            for lib in libs:
                row = next(r for r in rows if r["graph"] == g["name"] and r["kernel"] == k and r["library"] == lib)
                cells.append(_cell(row))
                if row["detail"] and row["status"] != "missing":
                    notes.append(f"{g['name']} / {k} / {lib}: {row['status']}: {row['detail']}")
            lines.append("| " + " | ".join(cells) + " |")
        built = [c for c in results["construction"] if c["graph"] == g["name"]]
        if built:
            lines += ["", "Graph construction (ms): " + ", ".join(f"{c['library']} {fmt_ms(c['ms'])}" for c in built)]
        lines += ["", "References: " + "; ".join(f"{k}: {v}" for k, v in g["references"].items()), ""]
    missing = sorted({f"{r['library']} / {r['kernel']}: {r['detail']}" for r in rows
                      if r["status"] == "missing"})
    lines += ["## Notes", ""] + [f"- {n}" for n in notes + missing]
    gbps = results.get("pagerank_gbps") or []
    if gbps:
        lines += ["", "## PageRank bandwidth (20 iterations)", "",
                  "| graph | library | GB/s | of triad |", "|---|---|---|---|"]
        for b in gbps:
            lines.append(f"| {b['graph']} | {b['library']} | {b['gbps']:.2f} | "
                         f"{b['gbps'] / results['triad_gbps']:.0%} |")
    return "\n".join(lines) + "\n"


def _colors(results):
    """One colour per library, the same in every plot."""
    libs = dict.fromkeys(r["library"] for r in results["rows"])
    return {lib: f"C{i % 10}" for i, lib in enumerate(libs)}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_ratios(results, path: Path):
    """Per kernel, per graph: each library's time over the best peer's (log scale)."""
    plt = _plt()
    rows, kernels, graphs = results["rows"], results["kernels"], [g["name"] for g in results["graphs"]]
    libs = list(dict.fromkeys(r["library"] for r in rows if r["status"] == "ok"))
    colors = _colors(results)
    fig, axes = plt.subplots(len(kernels), 1, figsize=(8, 1.9 * len(kernels)), squeeze=False)
    width = 0.8 / max(len(libs), 1)
    for ax, k in zip(axes[:, 0], kernels):
        for i, lib in enumerate(libs):
            xs, ys = [], []
            for j, g in enumerate(graphs):
                peer = [r["median_ms"] for r in rows if r["graph"] == g and r["kernel"] == k
                        and r["role"] == "peer" and r["status"] == "ok"]
                mine = [r["median_ms"] for r in rows if r["graph"] == g and r["kernel"] == k
                        and r["library"] == lib and r["status"] == "ok"]
                if peer and mine:
                    xs.append(j + (i - len(libs) / 2) * width)
                    ys.append(mine[0] / min(peer))
            ax.bar(xs, ys, width, label=lib, color=colors[lib])
        ax.axhline(1.0, color="k", lw=0.6)
        ax.set_yscale("log")
        ax.set_title(TITLES[k], fontsize=8)
        ax.set_xticks(range(len(graphs)), graphs, fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
    axes[0, 0].legend(fontsize=6, ncol=4)
    fig.supylabel("time / best peer (lower is faster)", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=70)
    plt.close(fig)


def plot_scaling(results, path: Path):
    """Per kernel: median time against the number of arcs, one line per library and family."""
    plt = _plt()
    rows, kernels = results["rows"], results["kernels"]
    graphs = {g["name"]: g for g in results["graphs"]}
    families = list(dict.fromkeys(g["family"] for g in graphs.values()))
    cols = 2
    fig, axes = plt.subplots(math.ceil(len(kernels) / cols), cols, figsize=(9, 2.4 * math.ceil(len(kernels) / cols)),
                             squeeze=False)
    markers = dict(zip(families, "osD^v<>x+"))
    colors = _colors(results)
    for ax, k in zip(axes.ravel(), kernels):
        for lib in colors:
            for fam in families:
                pts = sorted((graphs[r["graph"]]["arcs"], r["median_ms"]) for r in rows
                             if r["kernel"] == k and r["library"] == lib and r["status"] == "ok"
                             and graphs[r["graph"]]["family"] == fam)
                if pts:
                    ax.plot(*zip(*pts), marker=markers[fam], ms=3, lw=0.8, color=colors[lib])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(TITLES[k], fontsize=8)
        ax.tick_params(labelsize=6)
    for ax in axes.ravel()[len(kernels):]:
        ax.axis("off")
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=c, lw=1.5, label=lib) for lib, c in colors.items()]
    handles += [Line2D([], [], color="k", marker=m, lw=0, ms=4, label=fam) for fam, m in markers.items()]
    fig.legend(handles=handles, fontsize=6, ncol=5, loc="lower center")
    fig.supxlabel("arcs", fontsize=8)
    fig.supylabel("median ms", fontsize=8)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, dpi=70)
    plt.close(fig)


def plot_bandwidth(results, path: Path):
    """PageRank GB/s per graph and library against the triad ceiling."""
    plt = _plt()
    gbps = results.get("pagerank_gbps") or []
    graphs = list(dict.fromkeys(b["graph"] for b in gbps))
    libs = list(dict.fromkeys(b["library"] for b in gbps))
    colors = _colors(results)
    fig, ax = plt.subplots(figsize=(8, 3))
    width = 0.8 / max(len(libs), 1)
    for i, lib in enumerate(libs):
        pts = [(graphs.index(b["graph"]) + (i - len(libs) / 2) * width, b["gbps"]) for b in gbps if b["library"] == lib]
        ax.bar(*zip(*pts), width, label=lib, color=colors[lib])
    ax.axhline(results["triad_gbps"], color="k", ls="--", lw=0.8, label="triad ceiling")
    ax.set_xticks(range(len(graphs)), graphs, fontsize=7)
    ax.set_ylabel("GB/s", fontsize=8)
    ax.set_title("PageRank, 20 iterations: bytes a pull iteration must stream / time", fontsize=8)
    ax.legend(fontsize=6, ncol=3)
    fig.tight_layout()
    fig.savefig(path, dpi=70)
    plt.close(fig)
