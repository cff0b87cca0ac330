"""grid.html: one self-contained page (inline CSS/JS, no network): cells × pairs, coloured.

Words, not emoji, carry every verdict (a machine without an emoji font still reads it); the
colours repeat them. A non-pass verdict opens its evidence (exception, message, cassette) on
click, and a link to #cell-<id> opens that row's evidence.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from harness.grid.markdown import (
    FEWER_NOTE,
    FIRST,
    changes_text,
    pair_note,
    provenance,
    short,
)

LEVEL_WORDS = {"full": "Full", "limited": "Limited", "none": "None", "unmeasured": "Not measured"}

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px 32px;color:#1d232b}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #c9d0d8;padding:4px 8px;
text-align:left;vertical-align:top;font-size:13px}th{background:#eef1f5}
td.pass,td.full,td.ok{background:#dcf5e3}td.limited,td.forced{background:#fff1c7}
td.fail,td.error,td.none,td.bad{background:#fbdadd}
td.unsupported,td.skipped,td.unmeasured,td.absent{background:#eceff3}
td.v{position:relative;min-width:120px}
summary{cursor:pointer;list-style:none}summary::-webkit-details-marker{display:none}
summary::after{content:" +";color:#6b7684}details[open]>summary::after{content:" -"}
.panel{position:absolute;z-index:5;top:100%;left:-1px;width:440px;background:#fff;
border:1px solid #8c96a3;border-radius:6px;box-shadow:0 6px 20px rgba(0,0,0,.18);
padding:8px 10px;font-size:12px;max-height:50vh;overflow-y:auto;white-space:normal}
td.v:last-child .panel{left:auto;right:-1px}
code,.path{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}.path{color:#4a5563}
.exc{color:#8a1c25}body.only tr.same{display:none}
tr:target td{outline:2px solid #1f6feb}.note{color:#4a5563}
td.starred,td.drifted{outline:2px dashed #8a4b00;outline-offset:-3px}.drift{color:#8a4b00}
"""

JS = """
var rows=document.querySelectorAll('#cells tbody tr');
var differ=document.querySelectorAll('#cells tbody tr.differs').length;
var only=document.getElementById('only');
document.getElementById('count').textContent=differ+' of '+rows.length+
  ' cells differ between pairs';
function showOnly(on){only.checked=on;document.body.classList.toggle('only',on);}
showOnly(differ>0);
only.addEventListener('change',function(e){showOnly(e.target.checked);});
function openTarget(){var id=location.hash.slice(1);if(!id)return;
  var row=document.getElementById(id);if(!row||!row.closest('#cells'))return;
  if(row.classList.contains('same'))showOnly(false);
  row.querySelectorAll('details').forEach(function(d){d.open=true;});}
window.addEventListener('hashchange',openTarget);openTarget();
document.addEventListener('keydown',function(e){if(e.key!=='Escape')return;
  document.querySelectorAll('details[open]').forEach(function(d){d.open=false;});});
"""


def anchor(cell_id: str) -> str:
    """The id of a cell's row: link to grid.html#<it> to open its evidence."""
    return "cell-" + re.sub(r"[^A-Za-z0-9_-]", "_", cell_id)


def _pairs(data: dict[str, Any]) -> list[str]:
    out = ["<table id=pairs><thead><tr><th>instructor</th><th>litellm</th><th>status</th>"
           "<th>cells</th><th>note</th></tr></thead><tbody>"]
    for p in data["pairs"]:
        kind = "forced" if p["forced"] else "ok" if p["status"] == "ok" else "bad"
        tally = ", ".join(f"{n} {o}" for o, n in sorted(p["counts"].items()))
        status = p["status"] + (" (forced)" if p["forced"] else "")
        out.append(f'<tr data-pair="{escape(p["id"])}"><td>{escape(p["instructor"])}</td>'
                   f'<td>{escape(p["litellm"])}</td><td class="{kind}">{escape(status)}</td>'
                   f"<td>{escape(tally)}</td><td>{escape(pair_note(p))}</td></tr>")
    return out + ["</tbody></table>"]


def _first(data: dict[str, Any]) -> list[str]:
    rows = [c for c in data["cells"] if any(c[kind] for kind, _ in FIRST)]
    if not rows:
        return ["<p>No cell broke, was fixed or drifted between the pairs that ran.</p>"]
    colour = {"broke": "error", "fixed": "pass", "drifted": "limited"}
    out = ["<table id=changes><thead><tr><th>cell</th>"
           + "".join(f"<th>{title}</th>" for _, title in FIRST) + "</tr></thead><tbody>"]
    for c in rows:
        tds = "".join(f'<td class="{colour[kind] if c[kind] else ""}">'
                      f"{escape(changes_text(c[kind]))}</td>" for kind, _ in FIRST)
        out.append(f'<tr><td><a href="#{anchor(c["id"])}"><code>{escape(c["id"])}</code></a>'
                   f"</td>{tds}</tr>")
    return out + ["</tbody></table>"]


def _support(data: dict[str, Any], pairs: list[dict[str, Any]]) -> list[str]:
    out = ["<table id=support><thead><tr><th>Provider</th><th>Column</th>"
           + "".join(f"<th>{escape(short(p))}</th>" for p in pairs) + "</tr></thead><tbody>"]
    for row in data["support"]:
        for column in data["columns"]:
            tds = []
            for p in pairs:
                v = row["by_pair"].get(p["id"], {}).get(column)
                level = v["level"] if v else "unmeasured"
                title = v["reason"] if v else "none of the provider's cells measured anything"
                missing = len(v.get("unmeasured") or []) if v else 0
                star = "*" if missing else ""
                title += (f"; computed from fewer cells, {missing} not measured: "
                          + ", ".join(v["unmeasured"])) if v and missing else ""
                tds.append(f'<td class="{level}{" starred" if missing else ""}" '
                           f'title="{escape(title)}">{LEVEL_WORDS[level]}{star}</td>')
            out.append(f"<tr><th scope=row>{escape(row['display'])}</th>"
                       f"<td>{escape(column)}</td>{''.join(tds)}</tr>")
    starred = any(v.get("unmeasured") for row in data["support"]
                  for columns in row["by_pair"].values() for v in columns.values())
    return out + ["</tbody></table>"] + (
        [f'<p class="note">{escape(FEWER_NOTE.replace(chr(92), ""))}</p>'] if starred else [])


def _verdict_td(entry: dict[str, Any] | None, cell_id: str, pair: dict[str, Any]) -> str:
    if entry is None:
        return '<td class="v absent">not run</td>'
    drift = entry.get("drift")
    text = escape(entry["verdict"] + (" (drifted)" if drift else ""))
    kind = escape(entry["outcome"]) + (" drifted" if drift else "")
    if entry["outcome"] == "pass" and not drift:
        return f'<td class="v pass">{text}</td>'
    exc = (f'<p class="exc">{escape(entry["exception_type"])}: '
           f'{escape(entry["message"] or "")}</p>' if entry["exception_type"] else "")
    why = f" ({entry['drift_explanation']})" if entry.get("drift_explanation") else ""
    moved = f'<p class="drift">request drifted: {escape(drift + why)}</p>' if drift else ""
    return (f'<td class="v {kind}"><details><summary>{text}</summary>'
            f'<div class="panel" role="note"><p><strong>{escape(cell_id)}</strong> with '
            f'{escape(pair["label"])}: {escape(entry["verdict"])}</p>{exc}{moved}'
            f'<p class="path">{escape(entry["cassette"] or "")}</p></div></details></td>')


def _cells(data: dict[str, Any], pairs: list[dict[str, Any]]) -> list[str]:
    out = ['<label><input type=checkbox id=only> only the cells that differ between pairs'
           '</label> <span id=count class=note></span>',
           "<table id=cells><thead><tr><th>cell</th>"
           + "".join(f"<th>{escape(short(p))}</th>" for p in pairs) + "</tr></thead><tbody>"]
    for c in data["cells"]:
        tds = "".join(_verdict_td(c["by_pair"].get(p["id"]), c["id"], p) for p in pairs)
        out.append(f'<tr id="{anchor(c["id"])}" class="{"differs" if c["differs"] else "same"}">'
                   f'<td><code>{escape(c["id"])}</code></td>{tds}</tr>')
    return out + ["</tbody></table>"]


def render_html(data: dict[str, Any]) -> str:
    """The whole page."""
    ran = [p for p in data["pairs"] if p["status"] == "ok"]
    body = ["<h1>Conformance grid: instructor × litellm</h1>",
            f'<p class="note">{escape(provenance(data))}</p>', "<h2>Pairs</h2>", *_pairs(data),
            "<h2>First broke / fixed / drifted</h2>", *_first(data)]
    if ran:
        body += ["<h2>Streaming support per pair (instructor / litellm)</h2>",
                 *_support(data, ran),
                 "<h2>Every cell per pair (instructor / litellm)</h2>",
                 "<p>Click a verdict marked + for its evidence (exception, message, drift); Esc "
                 "closes.</p>",
                 *_cells(data, ran)]
    else:
        body.append("<p>No pair ran: nothing to compare.</p>")
    return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content=\"width=device-width, initial-scale=1\">"
            f"<title>Conformance grid</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + (f"\n<script>{JS}</script>" if ran else "")
            + "\n</body></html>\n")
