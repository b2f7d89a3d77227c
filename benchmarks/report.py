"""Reports of `wasmaot bench`: Markdown tables, CSV and JSON of every run, SVG charts.

Files written into the output directory:

``results.md``        headline (geometric mean of time / native per engine),
                      kernel and whole-process tables, compile times, engines,
                      failures, machine and versions
``runs.csv``          one row per run, warm-ups included (flagged)
``results.json``      metadata, engines, workloads, every run and the summary
``ratio-kernel.svg``  bars of kernel time / native per workload and engine,
``ratio-whole.svg``   log scale; the same for the whole process
"""
from __future__ import annotations

import csv
import json
import math
from html import escape
from pathlib import Path

from .harness import METRICS, Results

SHORT = {"native": "native", "wasmaot-guard": "wasmaot guard", "wasmaot-explicit": "wasmaot explicit",
         "wasmtime": "wasmtime", "wasmtime-cwasm": "wasmtime .cwasm", "wasm2c": "wasm2c", "v8": "v8",
         "v8-noliftoff": "v8 no-liftoff"}
# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies
COLORS = {"wasmaot-guard": "#0072B2", "wasmaot-explicit": "#56B4E9", "wasmtime": "#E69F00",
          "wasmtime-cwasm": "#D55E00", "wasm2c": "#F0E442",
          "v8": "#009E73", "v8-noliftoff": "#CC79A7", "native": "#555555"}
METRIC_TITLE = {"kernel": "kernel time (the workload's own timer around its hot part)",
                "whole": "whole process (start-up, compile, run: what a user waits for)"}


def short(name: str) -> str:
    return SHORT.get(name, name)


def fmt_s(t: float) -> str:
    if t >= 10:
        return f"{t:.1f} s"
    if t >= 1:
        return f"{t:.2f} s"
    if t >= 0.01:
        return f"{t:.3f} s"
    if t >= 0.001:
        return f"{t * 1000:.2f} ms"
    return f"{t * 1e6:.1f} µs"


def fmt_ratio(r: float | None) -> str:
    return "" if r is None else (f"{r:.2f}×" if r < 10 else f"{r:.1f}×")


def _cell(res: Results, w: str, e: str, metric: str) -> str:
    info = res.engine(e)
    if info["missing"]:
        return "missing"
    st = res.status.get((w, e))
    if st:
        return "**FAIL**" if st.startswith("FAIL") else st.split(":")[0].split(" (")[0]
    s = res.stats(w, e, metric)
    if not s:
        return "–"
    txt = f"{fmt_s(s['median'])} ±{s['spread'] * 100:.0f}%"
    r = res.ratio(w, e, metric)
    if r is not None and e != "native":
        txt += f" ({fmt_ratio(r)})"
    return txt


def markdown(res: Results) -> str:
    """results.md: the run's header, the headline geomeans, one table per
    metric, compile times, the engines and the failures."""
    out: list[str] = []
    for section in (_md_header, _md_headline, _md_metrics, _md_compile, _md_engines, _md_failures):
        out += section(res)
    return "\n".join(out)


def _md_header(res: Results) -> list[str]:
    """Title, then machine, versions, method and builds."""
    m, v = res.meta, res.meta["versions"]
    mc = m["machine"]
    git = m.get("git") or {}
    return [
        f"# wasmaot bench: {m['mode']} run, {m['date']}",
        "",
        f"- **Machine**: {mc['cpu']}, {mc['cpus']} CPUs, {mc.get('memory') or '?'} RAM, "
        f"{mc['platform']}. Shared and noisy: other jobs ran at the same time; read the "
        "spreads before reading a small difference.",
        f"- **Versions**: Python {v['python']}, llvmlite {v['llvmlite']}, wasmtime {v['wasmtime']} "
        f"(PyPI), node {v['node']}, zig {v['zig']} (PyPI ziglang {v['ziglang']}), "
        f"wasmaot {v['wasmaot']}"
        + (f" at git `{git['head']}`" + (" + uncommitted changes" if git.get("uncommitted_changes") else "")
           if git.get("head") else "") + ".",
        f"- **Method**: per workload, {m['warmup']} warm-up round(s) then {m['runs']} timed rounds; "
        "in each round every engine runs once, interleaved (A B C A B C ...). "
        "Cells: median ± spread (the median absolute deviation, in % of the median; min and max "
        "of every cell are in results.json, every run in runs.csv), and in "
        "parentheses the ratio of the medians to native (lower is better). "
        "Geometric means over the workloads where both the engine and native succeeded.",
        f"- **Builds**: wasm `zig cc {m['wasm_cflags']}`, native `zig cc {m['native_cflags']}` "
        f"{('with ' + m['size_define'] + ' ') if m['size_define'] else ''}for "
        f"`{m.get('native_target_cpu') or '?'}` (ISA level `{m.get('isa', 'host')}`: wasmaot and "
        "wasm2c build for the same level; native code may use SIMD that wasm32 without simd128 "
        "cannot; no FMA contraction, which Wasm forbids and which made latency-bound reductions "
        "slower natively). node runs with "
        f"`{m['node_flags']}`. Total time of this run: {m.get('elapsed_s', 0):.0f} s.",
        "",
    ]


def _md_headline(res: Results) -> list[str]:
    """Geomean per engine (both metrics), then kernel geomeans per group
    when the run has more than one group."""
    out = ["## Headline: geometric mean of time / native (lower is better)", "",
           "| engine | kernel | whole process | workloads |", "|---|--:|--:|--:|"]
    for e in res.engines:
        if e["missing"]:
            out.append(f"| {e['label']} | missing: {escape_md(e['missing'])} | | |")
            continue
        gk, nk, tot = res.geomean(e["name"], "kernel")
        gw, _, _ = res.geomean(e["name"], "whole")
        out.append(f"| {e['label']} | {fmt_ratio(gk) or '–'} | {fmt_ratio(gw) or '–'} | {nk} of {tot} |")
    out.append("")
    groups = list(dict.fromkeys(w["group"] for w in res.workloads))
    if len(groups) <= 1:
        return out
    avail = [e for e in res.engines if not e["missing"] and e["name"] != "native"]
    out += ["Kernel time / native, geometric mean per group:", "",
            "| group | " + " | ".join(short(e["name"]) for e in avail) + " |",
            "|---|" + "--:|" * len(avail)]
    for g in groups:
        n = sum(1 for w in res.workloads if w["group"] == g)
        cells = [fmt_ratio(res.geomean(e["name"], "kernel", g)[0]) or "–" for e in avail]
        out.append(f"| {g} ({n}) | " + " | ".join(cells) + " |")
    out.append("")
    return out


def _md_metrics(res: Results) -> list[str]:
    """One table per metric: every workload under every engine, and the
    geomean row."""
    names = [e["name"] for e in res.engines]
    out: list[str] = []
    for metric in METRICS:
        out += [f"## {'Kernel time' if metric == 'kernel' else 'Whole process'}", "",
                METRIC_TITLE[metric][0].upper() + METRIC_TITLE[metric][1:] + ".", "",
                "| workload | " + " | ".join(short(n) for n in names) + " |",
                "|---|" + "--:|" * len(names)]
        for w in res.workloads:
            out.append(f"| {w['name']} | " + " | ".join(_cell(res, w["name"], n, metric) for n in names) + " |")
        geo = []
        for n in names:
            g = None if res.engine(n)["missing"] else res.geomean(n, metric)[0]
            geo.append(f"**{fmt_ratio(g)}**" if g else "")
        out += ["| **geomean × native** | " + " | ".join(geo) + " |", ""]
    return out


def _md_compile(res: Results) -> list[str]:
    """Compile time per workload and engine, then wasmaot's stages."""
    m = res.meta
    out = ["## Compile time", "",
           "Ahead of time: `wasmaot compile` (the whole command: Python start-up, frontend, IR, "
           "LLVM, link; measured once per build with "
           f"{m['jobs']} parallel job(s), cached per compiler source) and `zig cc` for native. "
           "`wasmtime compile` for wasmtime's precompiled `.cwasm` (once, cached). "
           "In the engine: V8's `WebAssembly.compile` (median; with lazy compilation and tiering it finishes before "
           "most code is compiled optimized).", ""]
    cols = _compile_columns(res)
    out += ["| workload | " + " | ".join(c for c, _ in cols) + " |", "|---|" + "--:|" * len(cols)]
    for w in res.workloads:
        out.append(f"| {w['name']} | " + " | ".join(_compile_cell(res, w, e) for _, e in cols) + " |")
    out.append("")
    return out + _md_compile_stages(res)


def _compile_columns(res: Results) -> list[tuple[str, dict | None]]:
    """(heading, engine) of the compile table: the wasm size (no engine),
    the ahead-of-time compilers, V8, then native."""
    cols: list[tuple[str, dict | None]] = [("wasm size", None)]
    cols += [(short(e["name"]), e) for e in res.engines
             if e["name"].startswith("wasmaot") or e["name"] in ("wasmtime-cwasm", "wasm2c")]
    cols += [(short(e["name"]), e) for e in res.engines if e["name"] in ("v8", "v8-noliftoff")]
    native = next((e for e in res.engines if e["name"] == "native"), None)
    if native:
        cols.append(("native (zig cc)", native))
    return cols


def _compile_cell(res: Results, w: dict, e: dict | None) -> str:
    if e is None:
        return f"{w['wasm_bytes'] / 1024:.1f} KiB" if w.get("wasm_bytes") else "–"
    if e["missing"]:
        return "missing"
    if e["name"] in ("v8", "v8-noliftoff"):
        t = res.engine_compile(w["name"], e["name"])
        return fmt_s(t) if t is not None else "–"
    c = res.compile.get((w["name"], e["name"]))
    st = res.status.get((w["name"], e["name"]))
    if c:
        return fmt_s(c["compile_s"])
    return "**FAIL**" if st and st.startswith("FAIL") else "–"


def _md_compile_stages(res: Results) -> list[str]:
    """Per wasmaot engine, its `--time-passes` stages summed over the
    workloads, and what the stages leave (start-up and imports)."""
    out: list[str] = []
    for e in res.engines:
        if not e["name"].startswith("wasmaot") or e["missing"]:
            continue
        comp = [c for (w, n), c in res.compile.items() if n == e["name"] and c.get("stages")]
        if not comp:
            continue
        total = sum(c["compile_s"] for c in comp)
        keys = [k for k in ("frontend", "translate", "passes", "translate+passes", "llvm", "llvm:optimize", "llvm:object", "link")
                if any(k in c["stages"] for c in comp)]
        parts = [f"{k} {sum(c['stages'].get(k, 0.0) for c in comp):.1f} s" for k in keys]
        staged = sum(sum(c["stages"].get(k, 0.0) for k in ("frontend", "translate", "passes", "translate+passes", "llvm",
                                                      "link"))
                     for c in comp)
        out += [f"`{e['name']}` compile, summed over {len(comp)} workloads (`--time-passes`): "
                f"{total:.1f} s in all; " + ", ".join(parts)
                + f"; the rest ({total - staged:.1f} s) is process start-up and imports.", ""]
    return out


def _md_engines(res: Results) -> list[str]:
    out = ["## Engines", "", "| engine | how | version | status |", "|---|---|---|---|"]
    for e in res.engines:
        st = f"missing: {escape_md(e['missing'])}" if e["missing"] else "ran"
        out.append(f"| {e['name']} | {escape_md(e['how'])} | {e['version'] or '?'} | {st} |")
    return out + ["",
                  "Whole process: for native and wasmaot the executable from exec to exit; for node "
                  "the `node` process (start-up, compile, instantiate, run); for wasmtime the `wasmtime run` "
                  "process (with its JIT compile, or loading the `.cwasm`).", ""]


def _md_failures(res: Results) -> list[str]:
    out = ["## Failures", ""]
    fails = res.failures()
    if not fails:
        out.append("None: every run of every available engine exited 0 with a correct checksum.")
    for w, e, s in fails:
        out.append(f"- `{w}` under `{e}`: {escape_md(s.removeprefix('FAIL: '))}")
    for w in res.workloads:
        if w.get("build_error"):
            out.append(f"- `{w['name']}` did not build: {escape_md(w['build_error'])}")
    out.append("")
    return out


def escape_md(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def write_csv(res: Results, path: Path) -> None:
    fields = ["workload", "group", "engine", "round", "warmup", "ok", "whole_s", "kernel_s",
              "engine_compile_s", "exit", "error"]
    groups = {w["name"]: w["group"] for w in res.workloads}
    with open(path, "w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=fields)
        wr.writeheader()
        for r in res.runs:
            row = dict(r, group=groups.get(r["workload"], ""))
            row["warmup"] = int(r["warmup"])
            row["ok"] = int(r["ok"])
            for k in ("whole_s", "kernel_s", "engine_compile_s"):
                row[k] = "" if r[k] is None else f"{r[k]:.6f}"
            row["exit"] = "" if r["exit"] is None else r["exit"]
            row["error"] = r["error"] or ""
            wr.writerow(row)


def summary(res: Results) -> dict:
    out = {"geomean": {}, "workloads": {}}
    for e in res.engines:
        if e["missing"]:
            continue
        g = {}
        for metric in METRICS:
            val, n, tot = res.geomean(e["name"], metric)
            g[metric] = {"ratio_to_native": val, "workloads": n, "of": tot}
        out["geomean"][e["name"]] = g
    for w in res.workloads:
        d = {}
        for e in res.engines:
            k = (w["name"], e["name"])
            ent = {"status": "missing" if e["missing"] else (res.status.get(k) or "ok")}
            for metric in METRICS:
                s = res.stats(w["name"], e["name"], metric)
                if s:
                    ent[metric] = dict(s, ratio_to_native=res.ratio(w["name"], e["name"], metric))
            if k in res.compile:
                ent["aot_compile_s"] = res.compile[k]["compile_s"]
            ec = res.engine_compile(w["name"], e["name"])
            if ec is not None:
                ent["engine_compile_s"] = ec
            d[e["name"]] = ent
        out["workloads"][w["name"]] = d
    return out


def write_json(res: Results, path: Path) -> None:
    doc = {"meta": res.meta, "engines": res.engines, "workloads": res.workloads,
           "summary": summary(res), "runs": res.runs,
           "status": [[w, e, s] for (w, e), s in res.status.items()],
           "aot_compile": [[w, e, c] for (w, e), c in res.compile.items()]}
    path.write_text(json.dumps(doc, indent=1) + "\n")


# ---------------------------------------------------------------------------
# SVG: horizontal grouped bars of time / native on a log axis, anchored at 1x


def _legend_rows(series, left: int, width: int) -> int:
    rows, lx = 1, left
    for e in series:
        w_item = 20 + 7 * len(e["label"] + (" — missing" if e["missing"] else "")) + 24
        if lx + w_item > width - 10 and lx > left:
            rows, lx = rows + 1, left
        lx += w_item
    return rows


def _nice_ticks(lo: float, hi: float) -> list[float]:
    ticks = []
    mantissas = (1, 2, 3, 5) if hi / lo < 30 else (1, 2, 5) if hi / lo < 1000 else (1,)
    for k in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in mantissas:
            t = m * 10.0 ** k
            if lo <= t <= hi:
                ticks.append(t)
    return ticks


def svg_chart(res: Results, metric: str) -> str:
    """A horizontal bar chart of every engine's time / native per workload
    (log scale), the geomean first; failures marked, missing engines in
    the legend only."""
    c = _Chart(res, metric)
    o = c.head() + c.legend() + c.grid()
    for i, cat in enumerate(c.cats):
        o += c.group(i, cat)
    o.append(f'<line x1="{c.x(1.0):.1f}" y1="{c.plot_top}" x2="{c.x(1.0):.1f}" y2="{c.plot_bottom}" '
             f'stroke="#000" stroke-width="1.5"/>')
    o.append(f'<text x="{c.x(1.0):.1f}" y="{c.plot_top - 3}" text-anchor="middle" font-size="10">native</text>')
    o.append("</svg>")
    return "\n".join(o) + "\n"


class _Chart:
    """Geometry and values of one svg_chart: categories (the geomean,
    then the workloads) down, one bar per available engine in each."""
    BAR_H, BAR_GAP, GROUP_GAP = 9, 2, 12
    LEFT, PLOT_W, RIGHT = 190, 620, 70

    def __init__(self, res: Results, metric: str) -> None:
        self.res, self.metric = res, metric
        self.series = [e for e in res.engines if e["name"] != "native"]
        self.live = [e for e in self.series if not e["missing"]]
        self.cats = [("geomean", None)] + [(w["name"], w) for w in res.workloads]
        nums = [v for cat in self.cats for e in self.live
                if isinstance(v := self.value(cat, e), float)]
        self.lo = min(min(nums + [1.0]) / 1.15, 0.5)
        self.hi = max(max(nums + [1.0]) * 1.15, 2.0)
        self.n = max(1, len(self.live))
        self.group_h = self.n * (self.BAR_H + self.BAR_GAP) - self.BAR_GAP + self.GROUP_GAP
        self.width = self.LEFT + self.PLOT_W + self.RIGHT
        self.top = 96 + 18 * _legend_rows(self.series, self.LEFT, self.width)
        self.height = self.top + len(self.cats) * self.group_h + 12 + 56
        self.plot_top, self.plot_bottom = self.top - 6, self.top + len(self.cats) * self.group_h

    def value(self, cat, e):
        """The bar's ratio, "FAIL", or None (engine missing, no data)."""
        name, w = cat
        if e["missing"]:
            return None
        if w is None:
            return self.res.geomean(e["name"], self.metric)[0]
        st = self.res.status.get((w["name"], e["name"]))
        if st and st.startswith("FAIL"):
            return "FAIL"
        return self.res.ratio(w["name"], e["name"], self.metric)

    def x(self, v: float) -> float:
        lo, hi = math.log10(self.lo), math.log10(self.hi)
        return self.LEFT + (math.log10(v) - lo) / (hi - lo) * self.PLOT_W

    def head(self) -> list[str]:
        m, width, height, left = self.res.meta, self.width, self.height, self.LEFT
        title = (f"{'Kernel time' if self.metric == 'kernel' else 'Whole process time'} "
                 "relative to native (clang -O2)")
        sub = (f"log scale, lower is better; median of {m['runs']} interleaved runs; "
               f"{m['mode']} sizes; {m['machine']['cpu']}; {m['date']}")
        return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
                f'<rect width="{width}" height="{height}" fill="white"/>',
                f'<text x="{left}" y="26" font-size="17" font-weight="bold">{escape(title)}</text>',
                f'<text x="{left}" y="46" fill="#444">{escape(sub)}</text>']

    def legend(self) -> list[str]:
        """Items flow left to right and wrap (as _legend_rows counts them)."""
        o: list[str] = []
        lx, ly = self.LEFT, 70
        for e in self.series:
            col = COLORS.get(e["name"], "#888") if not e["missing"] else "#ccc"
            label = e["label"] + (" — missing" if e["missing"] else "")
            w_item = 20 + 7 * len(label) + 24
            if lx + w_item > self.width - 10 and lx > self.LEFT:
                lx, ly = self.LEFT, ly + 18
            o.append(f'<rect x="{lx}" y="{ly - 10}" width="14" height="11" fill="{col}"/>')
            o.append(f'<text x="{lx + 20}" y="{ly}" fill="{"#999" if e["missing"] else "#000"}">{escape(label)}</text>')
            lx += w_item
        return o

    def grid(self) -> list[str]:
        """Alternate bands behind the categories, the ticks, the axis title."""
        o: list[str] = []
        left, plot_w = self.LEFT, self.PLOT_W
        for i in range(0, len(self.cats), 2):
            gy = self.top + i * self.group_h - self.GROUP_GAP / 2
            o.append(f'<rect x="{left - 186}" y="{gy:.1f}" width="{plot_w + 186 + self.RIGHT - 4}" '
                     f'height="{self.group_h}" fill="#f4f4f4"/>')
        for t in _nice_ticks(self.lo, self.hi):
            tx = self.x(t)
            o.append(f'<line x1="{tx:.1f}" y1="{self.plot_top}" x2="{tx:.1f}" y2="{self.plot_bottom}" '
                     f'stroke="#ddd" stroke-width="1"/>')
            o.append(f'<text x="{tx:.1f}" y="{self.plot_bottom + 16}" text-anchor="middle" fill="#444">{t:g}×</text>')
        o.append(f'<text x="{left + plot_w / 2}" y="{self.plot_bottom + 36}" text-anchor="middle" fill="#222">'
                 f'time / native time ({escape(METRIC_TITLE[self.metric].split(" (")[0])})</text>')
        return o

    def group(self, i: int, cat) -> list[str]:
        """Category i: its label (with native's time), one bar per engine,
        and a rule under the geomean."""
        name, w = cat
        gy = self.top + i * self.group_h
        cy = gy + (self.n * (self.BAR_H + self.BAR_GAP) - self.BAR_GAP) / 2
        weight = ' font-weight="bold"' if w is None else ""
        o = [f'<text x="{self.LEFT - 10}" y="{cy + 4:.1f}" text-anchor="end"{weight}>{escape(name)}</text>']
        if w is not None:
            ns = self.res.stats(name, "native", self.metric) if "native" in self.res.available() else None
            if ns:
                o.append(f'<text x="{self.LEFT - 10}" y="{cy + 16:.1f}" text-anchor="end" font-size="10" '
                         f'fill="#777">native {escape(fmt_s(ns["median"]))}</text>')
        for j, e in enumerate(self.live):
            o += self.bar(cat, e, gy + j * (self.BAR_H + self.BAR_GAP))
        if w is None:
            ly = gy + self.group_h - self.GROUP_GAP / 2
            o.append(f'<line x1="{self.LEFT - 186}" y1="{ly:.1f}" x2="{self.LEFT + self.PLOT_W + self.RIGHT - 4}" '
                     f'y2="{ly:.1f}" stroke="#888" stroke-width="1"/>')
        return o

    def bar(self, cat, e, by: float) -> list[str]:
        """One engine's bar from 1x to its ratio, labelled at its end."""
        name, w = cat
        bar_h = self.BAR_H
        v = self.value(cat, e)
        if v == "FAIL":
            return [f'<text x="{self.x(1.0) + 4:.1f}" y="{by + bar_h - 1}" font-size="10" '
                    f'font-weight="bold" fill="#c00">FAIL ({escape(short(e["name"]))})</text>']
        if not isinstance(v, float):
            return []
        x0, x1 = sorted((self.x(1.0), self.x(v)))
        col = COLORS.get(e["name"], "#888")
        o = [f'<rect x="{x0:.1f}" y="{by}" width="{max(x1 - x0, 1):.1f}" height="{bar_h}" '
             f'fill="{col}"><title>{escape(name)} / {escape(e["label"])}: {v:.3g}× native</title></rect>']
        lab = fmt_ratio(v)
        if w is None:
            _, cnt, tot = self.res.geomean(e["name"], self.metric)
            if cnt < tot:
                lab += f" (only {cnt} of {tot} workloads)"
        if v >= 1:
            o.append(f'<text x="{x1 + 3:.1f}" y="{by + bar_h - 1}" font-size="9" fill="#333">{escape(lab)}</text>')
        else:
            o.append(f'<text x="{x0 - 3:.1f}" y="{by + bar_h - 1}" font-size="9" fill="#333" '
                     f'text-anchor="end">{escape(lab)}</text>')
        return o


def write_all(res: Results, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"markdown": out_dir / "results.md", "csv": out_dir / "runs.csv",
             "json": out_dir / "results.json", "svg_kernel": out_dir / "ratio-kernel.svg",
             "svg_whole": out_dir / "ratio-whole.svg"}
    paths["markdown"].write_text(markdown(res) + "\n")
    write_csv(res, paths["csv"])
    write_json(res, paths["json"])
    for metric in METRICS:
        paths[f"svg_{metric}"].write_text(svg_chart(res, metric))
    return paths
