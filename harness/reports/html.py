"""streaming-support.html: one self-contained page (inline CSS/JS, no network) from report data."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from harness.matrix.declared import CAPABILITIES, yes_no
from harness.reports.markdown import marked, provenance_line

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px 32px;color:#1d232b}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.prov{color:#4a5563;margin:0 0 16px}.prov dt{font-weight:600;float:left;width:150px;clear:left}
.prov dd{margin:0 0 2px 150px}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #c9d0d8;padding:6px 10px;
text-align:left;vertical-align:top}th{background:#eef1f5}
table.support td.lvl{min-width:130px;position:relative;font-weight:600}
table.support th,table.support td{vertical-align:middle}
td.full,td.pass{background:#dcf5e3}td.limited{background:#fff1c7}td.none,td.fail,
td.error{background:#fbdadd}td.unmeasured,td.skipped,td.unsupported{background:#eceff3}
summary{cursor:pointer;list-style:none;border-radius:4px;padding:1px 2px}
summary::-webkit-details-marker{display:none}summary::after{content:" ▸";color:#6b7684;
font-weight:400}details[open]>summary::after{content:" ▾"}
summary:focus-visible{outline:2px solid #1f6feb;outline-offset:2px}
.panel{position:absolute;z-index:5;top:100%;left:-1px;width:460px;background:#fff;
border:1px solid #8c96a3;border-radius:6px;box-shadow:0 6px 20px rgba(0,0,0,.18);
padding:10px 12px;font-weight:400;font-size:13px;max-height:60vh;overflow-y:auto}
td.right .panel{left:auto;right:-1px}
.panel p{margin:0 0 6px}.panel ul{margin:0;padding-left:18px}.panel li{margin:0 0 4px}
code,.path{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}.path{color:#4a5563}
.exc{color:#8a1c25}table.cells td{padding:3px 8px;font-size:13px}
table.cells code{white-space:nowrap}.scroll{overflow-x:auto}
tr:target td{outline:2px solid #1f6feb}.legend li{margin:2px 0}.flag{color:#8a4b00}
"""

JS = """
document.querySelectorAll('table.support details').forEach(function(d){
  d.addEventListener('toggle',function(){if(!d.open)return;
    document.querySelectorAll('table.support details[open]').forEach(function(o){
      if(o!==d)o.open=false;});});});
document.addEventListener('keydown',function(e){if(e.key!=='Escape')return;
  document.querySelectorAll('details[open]').forEach(function(d){d.open=false;
    d.querySelector('summary').focus();});});
"""


def _inline(text: str) -> str:
    """The legend's markdown subset (`code`, **bold**) as HTML, escaped first."""
    out = escape(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)


def _short(text: str, limit: int = 160) -> str:
    # The full message is in the cells table below; a popover shows its start.
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _num(value: Any) -> str:
    return "" if value is None else escape(str(value))


def _anchor(cell_id: str) -> str:
    return "cell-" + re.sub(r"[^A-Za-z0-9_-]", "_", cell_id)


def _evidence_item(e: dict[str, Any], cell: dict[str, Any] | None) -> str:
    parts = [f'<a href="#{_anchor(e["cell"])}"><code>{escape(e["cell"])}</code></a>: '
             f'{escape(e["note"])}']
    if cell is not None:
        if cell.get("exception_type"):
            parts.append(f'<br><span class="exc">{escape(cell["exception_type"])}: '
                         f'{escape(_short(cell.get("message") or ""))}</span>')
        if cell.get("timing"):  # only live recordings have real timing
            parts.append(f'<br><span class="timing">live: {escape(cell["timing"])}</span>')
        parts.append(f'<br><span class="path">{escape(cell.get("cassette") or "")}</span>')
    return "<li>" + "".join(parts) + "</li>"


def _unmeasured(verdict: dict[str, Any]) -> str:
    cells = verdict.get("unmeasured") or []
    if not cells:
        return ""
    return (f'<p class="unmeasured">* computed from fewer cells; not measured: '
            f'{escape(", ".join(cells))}</p>')


def _title(symbol: str, verdict: dict[str, Any], cells: dict[str, dict[str, Any]]) -> str:
    lines = [f"{symbol}: {verdict['reason']}"]
    for e in verdict["evidence"]:
        c = cells.get(e["cell"], {})
        lines.append(f"{e['cell']}: {e['note']} [{c.get('cassette', '')}]")
    return "\n".join(lines)


def _support_table(data: dict[str, Any], cells: dict[str, dict[str, Any]]) -> list[str]:
    header = data["header"]
    out = ['<table class="support" id="support"><thead><tr>'
           + "".join(f"<th scope=col>{escape(h)}</th>" for h in header) + "</tr></thead><tbody>"]
    for row in data["rows"]:
        tds = [f'<th scope=row title="providers: {escape(", ".join(row["providers"]))}">'
               f'{escape(row["display"])}</th>']
        for i, column in enumerate(header[1:]):
            v = row["columns"][column]
            side = " right" if i >= len(header) - 3 else ""
            items = "".join(_evidence_item(e, cells.get(e["cell"])) for e in v["evidence"])
            tds.append(
                f'<td class="lvl {v["level"]}{side}" data-column="{escape(column)}" '
                f'title="{escape(_title(v["symbol"], v, cells))}"><details><summary>'
                f'{escape(marked(v))}</summary><div class="panel" role="note">'
                f'<p><strong>{escape(row["display"])} · {escape(column)}</strong>: '
                f'{escape(v["reason"])}</p>{_unmeasured(v)}<ul>{items}</ul></div></details></td>')
        out.append("<tr>" + "".join(tds) + "</tr>")
    return out + ["</tbody></table>"]


def _legend(lines: list[str]) -> list[str]:
    out, nested = ['<ul class="legend">'], False
    for line in lines:
        inner = line.startswith("  - ")
        if inner and not nested:
            out[-1] = out[-1].removesuffix("</li>") + "<ul>"
        if not inner and nested:
            out.append("</ul></li>")
        nested = inner
        out.append(f"<li>{_inline(line.lstrip(' -'))}</li>")
    return out + (["</ul></li>"] if nested else []) + ["</ul>"]


def _cells_table(data: dict[str, Any]) -> list[str]:
    head = ["cell", "outcome", "layer at fault", "partials", "chunks", "live timing", "exception",
            "cassette"]
    out = ['<table class="cells"><thead><tr>' + "".join(f"<th>{h}</th>" for h in head)
           + "</tr></thead><tbody>"]
    for c in data["cells"]:
        exc = f'{c["exception_type"]}: {(c["message"] or "")[:300]}' if c["exception_type"] else ""
        values = [f"<code>{escape(c['id'])}</code>", escape(c["outcome"]),
                  escape(c["layer"] or ""), _num(c["partials"]), _num(c["llm_chunks"]),
                  escape(c.get("timing") or ""), f'<span class="exc">{escape(exc)}</span>',
                  f'<span class="path">{escape(c["cassette"] or "")}</span>']
        out.append(f'<tr id="{_anchor(c["id"])}">' + "".join(
            f'<td class="{escape(c["outcome"])}">{v}</td>' if i == 1 else f"<td>{v}</td>"
            for i, v in enumerate(values)) + "</tr>")
    return out + ["</tbody></table>"]


def _declared_table(data: dict[str, Any]) -> list[str]:
    out = ["<table><thead><tr><th>provider</th><th>model</th><th>capability</th>"
           "<th>declared by litellm</th><th>observed</th><th>flag</th></tr></thead><tbody>"]
    for e in data["declared"]:
        out.append(f"<tr><td>{escape(e['provider'])}</td><td><code>{escape(e['model'])}</code>"
                   f"</td><td title=\"{escape(CAPABILITIES[e['capability']])}\">"
                   f"{escape(e['capability'])}</td><td>{yes_no(e['declared'])}</td>"
                   f"<td>{yes_no(e['observed'])}</td><td class=flag>{escape(e['flag'])}</td></tr>")
    return out + ["</tbody></table>"]


def _provenance(p: dict[str, Any]) -> list[str]:
    versions = p.get("versions", {})
    against = ", ".join(f"{k} ({n} cells)" for k, n in p.get("recorded_against", {}).items())
    items = [("Recorded against", against or "nothing"),
             ("Recorded", f"{p.get('recorded_from')} → {p.get('recorded_to')}"),
             ("Run", f"{p.get('run_target')}, finished {p.get('run_finished')}"),
             ("Versions", f"instructor {versions.get('instructor', '?')}, litellm "
                          f"{versions.get('litellm', '?')}, pydantic "
                          f"{versions.get('pydantic', '?')}")]
    return ['<dl class="prov">'] + [f"<dt>{k}</dt><dd>{escape(str(v))}</dd>" for k, v in items] \
        + ["</dl>"]


def render_html(data: dict[str, Any]) -> str:
    """The whole page."""
    cells = {c["id"]: c for c in data["cells"]}
    body = ["<h1>Provider-Specific Streaming Support (measured)</h1>",
            *_provenance(data["provenance"]),
            "<p>Click or focus a symbol (Enter) for the cells behind it; hover shows the same "
            "as a tooltip. Esc closes.</p>", *_support_table(data, cells)]
    if data["unmeasured"]:
        body.append(f"<p>Not measured (a filtered run): {escape(', '.join(data['unmeasured']))}"
                    f"</p>")
    if data["rows_not_measured"]:
        body.append("<p>Not shown, no cell measured anything (harness errors such as missing "
                    f"cassettes, or skipped): {escape(', '.join(data['rows_not_measured']))}</p>")
    base = data.get("baseline")
    if base is not None:
        changes = [c for c in base["changes"] if c["status"] != "new"]
        body += ["<h2>Changes since the baseline</h2>", "<ul>"] + [
            f"<li><strong>{escape(c['status'])}</strong> {escape(c['kind'])} "
            f"<code>{escape(c['key'])}</code>: {escape(c['before'])} → {escape(c['after'])}</li>"
            for c in changes] + (["<li>none</li>"] if not changes else []) + ["</ul>"]
    body += ["<h2>Legend</h2>", *_legend(data["legend"]),
             "<h2>Declared (litellm.get_model_info) versus observed</h2>", *_declared_table(data),
             "<h2>Every cell</h2>", '<div class="scroll">', *_cells_table(data), "</div>"]
    return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content=\"width=device-width, initial-scale=1\">"
            f"<title>Streaming support</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + f"\n<!-- {escape(provenance_line(data['provenance']))} -->"
            + f"\n<script>{JS}</script>\n</body></html>\n")
