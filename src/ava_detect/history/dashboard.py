"""``ava-detect dashboard``: one self-contained HTML page of the failure history.

Inline CSS, inline SVG charts (:mod:`.charts`), thumbnails as ``data:`` URIs and a few lines of
inline JavaScript (a filter box for the failures table): the page loads nothing from a network.
Links to evidence packs are ``file:`` links to where the packs were written.

:func:`dashboard_data` computes every number the page shows (tested on its own);
:func:`render_dashboard` lays them out.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from .. import __version__
from ..catalog import CHECK_NAMES, FAILURE_MODES, KIND_WORDING
from . import charts
from .thumbs import thumbnail_uri

MEASURED = ("pass", "fail", "inconclusive")  # a check that ran (skipped ones did not)
DAILY_UP_TO_DAYS = 45  # a longer history is bucketed by ISO week, so lines stay readable


def _bucketer(days: list[date]):
    if days and (max(days) - min(days)).days > DAILY_UP_TO_DAYS:
        return lambda d: "{}-W{:02d}".format(*d.isocalendar()[:2])
    return lambda d: d.isoformat()


def _day(run: dict) -> date | None:
    try:
        return date.fromisoformat((run.get("analysed_at") or "")[:10])
    except ValueError:
        return None


def dashboard_data(runs: list[dict], kinds: list[tuple[str, str, int]]) -> dict[str, Any]:
    """Every figure of the page.

    Returns
    -------
    dict
        ``totals`` (runs, failed, per-mode failed/measured), ``buckets`` (time labels),
        ``platform_rates`` and ``mode_rates`` (name -> per bucket ``(failed, measured)`` or
        None), ``kinds`` (mode, kind, count), ``first_failure_s`` (mode -> list of seconds),
        ``recent_failures`` (failed runs, newest first).
    """
    dated = [(run, d) for run in runs if (d := _day(run)) is not None]
    bucket_of = _bucketer([d for _, d in dated])
    buckets = sorted({bucket_of(d) for _, d in dated})
    index = {b: i for i, b in enumerate(buckets)}
    per_platform: dict[str, list[list[int]]] = defaultdict(lambda: [[0, 0] for _ in buckets])
    per_mode: dict[str, list[list[int]]] = {m: [[0, 0] for _ in buckets] for m in CHECK_NAMES}
    for run, d in dated:
        i = index[bucket_of(d)]
        if run.get("verdict") in MEASURED:
            cell = per_platform[run.get("platform") or "(no platform)"][i]
            cell[0] += run["verdict"] == "fail"
            cell[1] += 1
        for mode, check in run.get("checks", {}).items():
            if check.get("status") in MEASURED:
                cell = per_mode.setdefault(mode, [[0, 0] for _ in buckets])[i]
                cell[0] += check["status"] == "fail"
                cell[1] += 1

    def as_points(table: dict[str, list[list[int]]]) -> dict[str, list]:
        return {k: [(f, n) if n else None for f, n in v] for k, v in sorted(table.items())}

    first: dict[str, list[float]] = defaultdict(list)
    mode_totals: dict[str, Counter] = defaultdict(Counter)
    for run in runs:
        for mode, check in run.get("checks", {}).items():
            if check.get("status") in MEASURED:
                mode_totals[mode]["measured"] += 1
                if check["status"] == "fail":
                    mode_totals[mode]["failed"] += 1
                    if check.get("first_s") is not None:
                        first[mode].append(float(check["first_s"]))
    return {
        "totals": {
            "runs": len(runs),
            "failed": sum(1 for r in runs if r.get("verdict") == "fail"),
            "modes": {m: dict(c) for m, c in sorted(mode_totals.items())},
        },
        "buckets": buckets,
        "platform_rates": as_points(per_platform),
        "mode_rates": {k: v for k, v in as_points(per_mode).items() if any(v)},
        "kinds": kinds,
        "first_failure_s": dict(first),
        "recent_failures": [r for r in runs if r.get("verdict") == "fail"],
    }


def _mode_name(mode: str) -> str:
    fm = FAILURE_MODES.get(mode)
    return fm.plain_name or mode if fm else mode


def _file_link(path: str | None, text: str) -> str:
    if not path:
        return '<span class="muted">-</span>'
    p = Path(path)
    note = "" if p.exists() else ' <span class="muted">(moved or deleted)</span>'
    return f'<a href="{escape(p.as_uri())}">{escape(text)}</a>{note}'


def _failure_row(run: dict) -> str:
    thumb = thumbnail_uri(run.get("evidence_image"))
    picture = (
        f'<img src="{thumb}" alt="evidence frame" width="{charts.W // 4}">'
        if thumb
        else '<span class="muted">no frame</span>'
    )
    failed = []
    for mode, check in run.get("checks", {}).items():
        if check.get("status") == "fail":
            at = f" at {check['first_s']:.2f} s" if check.get("first_s") is not None else ""
            words = ", ".join(KIND_WORDING.get(k, k) for k in check.get("kinds", []))
            failed.append(f"<b>{escape(_mode_name(mode))}</b>{at}<br><small>{escape(words)}"
                          "</small>")  # fmt: skip
    clip = Path(run.get("clip_path") or "?").name
    return (
        f"<tr><td>{picture}</td><td>{escape((run.get('analysed_at') or '')[:16])}</td>"
        f"<td>{escape(run.get('platform') or '-')}</td><td>{escape(clip)}</td>"
        f"<td>{'<br>'.join(failed)}</td><td class=\"prompt\">{escape(run.get('prompt') or '')}"
        f"</td><td>{_file_link(run.get('pack_path'), 'pack (PDF)')}<br>"
        f"{_file_link(run.get('report_path'), 'report (JSON)')}</td></tr>"
    )


def render_dashboard(
    runs: list[dict], kinds: list[tuple[str, str, int]], *, history_path: str, recent: int = 30
) -> str:
    """The whole page as one HTML string (UTF-8, nothing external)."""
    data = dashboard_data(runs, kinds)
    totals = data["totals"]
    tiles = [f'<div class="tile"><b>{totals["runs"]}</b> clips analysed</div>',
             f'<div class="tile"><b>{totals["failed"]}</b> failed at least one check</div>']
    for mode, c in totals["modes"].items():
        tiles.append(f'<div class="tile"><b>{c.get("failed", 0)}</b> of {c.get("measured", 0)} '
                     f"measured failed {escape(_mode_name(mode))}</div>")  # fmt: skip
    kind_items = [
        (f"{KIND_WORDING.get(k, k)} ({_mode_name(m)})", n, f"{n} finding(s) of kind {k}")
        for m, k, n in data["kinds"][:12]
    ]
    hist = "".join(
        f"<figure><figcaption>{escape(_mode_name(m))}: {len(v)} first failure(s)</figcaption>"
        f"{charts.histogram(v, label=f'first failure times, {m}')}</figure>"
        for m, v in sorted(data["first_failure_s"].items())
    ) or charts.histogram([], label="first failure times")
    shown = data["recent_failures"][:recent]
    rows = "".join(_failure_row(r) for r in shown)
    figures = {
        "runs": totals["runs"],
        "buckets": data["buckets"],
        "platform_rates": data["platform_rates"],
        "mode_rates": data["mode_rates"],
    }
    return PAGE.format(
        version=escape(__version__),
        source=escape(history_path),
        tiles="".join(tiles),
        platform_chart=charts.rate_lines(
            data["platform_rates"], data["buckets"], label="failure rate per platform"
        ),
        mode_chart=charts.rate_lines(
            {_mode_name(m): v for m, v in data["mode_rates"].items()},
            data["buckets"],
            label="failure rate per check",
        ),
        kinds_chart=charts.bars(kind_items, label="most frequent finding kinds"),
        histograms=hist,
        n_shown=len(shown),
        n_failed=len(data["recent_failures"]),
        rows=rows or '<tr><td colspan="7" class="muted">no failures recorded</td></tr>',
        figures=json.dumps(figures).replace("<", "\\u003c"),  # safe inside <script>
    )


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ava-detect failure history</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #111827; }}
h1 {{ font-size: 22px; margin: 0 0 4px; }} h2 {{ font-size: 16px; margin: 24px 0 8px; }}
.muted {{ color: #6b7280; fill: #6b7280; }}
.tiles {{ display: flex; flex-wrap: wrap; gap: 8px; }}
.tile {{ border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px 12px; }}
.grid-2 {{ display: flex; flex-wrap: wrap; gap: 24px; }}
figure {{ margin: 0; }} figcaption {{ font-weight: 600; margin-bottom: 4px; }}
svg .grid {{ stroke: #e5e7eb; }} svg .axis, svg .legend {{ font-size: 11px; fill: #374151; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #e5e7eb; padding: 6px; vertical-align: top; text-align: left; }}
td.prompt {{ max-width: 320px; }} img {{ border-radius: 4px; }}
input {{ padding: 4px 8px; width: 320px; }}
</style></head>
<body>
<h1>ava-detect failure history</h1>
<p class="muted">From {source}; made by ava-detect {version}. Everything on this page is in this
file: it loads nothing from a network.</p>
<div class="tiles">{tiles}</div>
<div class="grid-2">
<figure><h2>Failure rate per platform over time</h2>{platform_chart}</figure>
<figure><h2>Failure rate per check over time</h2>{mode_chart}</figure>
</div>
<div class="grid-2">
<figure><h2>Most frequent finding kinds</h2>{kinds_chart}</figure>
</div>
<h2>When the first failure appears (seconds into the clip)</h2>
<div class="grid-2">{histograms}</div>
<h2>Recent failures ({n_shown} of {n_failed})</h2>
<p><input id="filter" type="search" placeholder="filter by platform, clip, check or prompt"></p>
<table id="failures"><thead><tr><th>evidence frame</th><th>analysed (UTC)</th><th>platform</th>
<th>clip</th><th>failed checks</th><th>prompt</th><th>files</th></tr></thead>
<tbody>{rows}</tbody></table>
<p id="render-check" class="muted"></p>
<script id="figures" type="application/json">{figures}</script>
<script>
(function () {{
  "use strict";
  var figures = JSON.parse(document.getElementById("figures").textContent);
  var box = document.getElementById("filter");
  var rows = document.querySelectorAll("#failures tbody tr");
  box.addEventListener("input", function () {{
    var q = box.value.toLowerCase();
    rows.forEach(function (tr) {{
      tr.style.display = tr.textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
    }});
  }});
  var marks = Array.prototype.map.call(document.querySelectorAll("svg.chart"), function (svg) {{
    return svg.querySelectorAll(".mark").length;
  }});
  document.body.setAttribute("data-chart-marks", marks.join(","));
  document.getElementById("render-check").textContent =
    figures.runs + " runs, " + figures.buckets.length + " time bucket(s), chart marks: " +
    marks.join(", ");
}})();
</script>
</body></html>
"""
