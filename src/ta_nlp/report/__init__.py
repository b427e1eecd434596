"""The study report: one self-contained HTML page (``report.html``).

:func:`render_report` fills the package template ``template.html`` (``string.Template``) with the
analysis tables, the figures inlined as base64 SVG, the coder and its configuration (from the
coding manifest) and a per-encounter transcript view in which every coded clinician unit is
highlighted with its codes, its evidence spans marked and its pattern ids listed. The page loads
nothing from elsewhere: no external stylesheets, scripts, fonts or images. All transcript text,
identifiers and table cells are HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import numpy as np
import pandas as pd

from ta_nlp import __version__
from ta_nlp.codes import CODES
from ta_nlp.io import atomic_write_text

TEMPLATE_NAME = "template.html"
#: Tables shown in each section of the report, in order.
SECTION_TABLES: dict[str, tuple[str, ...]] = {
    "alliance": ("alliance_outcomes",),
    "behaviours": ("correlations", "descriptives"),
    "models": ("change", "partial", "rm_corr", "mixed_model", "power"),
}
_TITLES = {
    "alliance_outcomes": "Alliance vs outcomes at each time point",
    "correlations": "Behaviour counts and timing x alliance and outcomes (long table)",
    "descriptives": "Descriptive statistics",
    "change": "Alliance vs change scores",
    "partial": "Alliance vs later outcomes, controlling for baseline",
    "rm_corr": "Repeated-measures correlations",
    "mixed_model": "Linear mixed models (random intercept per participant)",
    "power": "Power",
    "linkage": "Participants and encounters that did not link",
}
_FIGURE_CAPTIONS = {
    "alliance_outcomes": "Alliance against each outcome at each time point, with Spearman's rho "
                         "and its interval.",
    "heatmap": "Spearman's rho of each behaviour count and timing figure with alliance and "
               "outcomes; * marks adjusted p < .05.",
    "profile": "Behaviour rates per 100 clinician units in each encounter.",
}


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _cell(column: str, value: Any) -> str:
    from ta_nlp.analysis import _format_cell

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return _format_cell(column, value)


def table_html(frame: pd.DataFrame, table_id: str | None = None, scroll: bool = False) -> str:
    """An escaped HTML table (numbers rounded for reading; the CSV files keep full precision)."""
    if frame is None or frame.empty:
        return '<p class="empty">No rows.</p>'
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    head = "".join(f'<th class="{"" if c in numeric else "text"}">{_e(c)}</th>'
                   for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = "".join(f'<td class="{"" if c in numeric else "text"}">{_e(_cell(c, v))}</td>'
                        for c, v in zip(frame.columns, row))
        rows.append(f"<tr>{cells}</tr>")
    ident = f' id="{_e(table_id)}"' if table_id else ""
    body = (f'<table class="data"{ident}><thead><tr>{head}</tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")
    return f'<div class="scroll">{body}</div>' if scroll else body


def figure_html(path: Path | None, name: str) -> str:
    if path is None or not Path(path).exists():
        return ""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    caption = _FIGURE_CAPTIONS.get(name, name)
    return (f'<figure id="figure-{_e(name)}"><img alt="{_e(caption)}" '
            f'src="data:image/svg+xml;base64,{data}"><figcaption>{_e(caption)}</figcaption>'
            "</figure>")


def _highlight(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Escape ``text`` and wrap the (merged) character spans in ``<mark>``."""
    clean = sorted((max(0, int(s)), min(len(text), int(e))) for s, e in spans if int(e) > int(s))
    merged: list[list[int]] = []
    for start, end in clean:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        elif start < len(text):
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out.append(_e(text[pos:start]))
        out.append(f"<mark>{_e(text[start:end])}</mark>")
        pos = end
    out.append(_e(text[pos:]))
    return "".join(out)


def _parse_evidence(value: Any) -> dict[str, list[dict[str, Any]]]:
    if not isinstance(value, str) or not value.strip():
        return {}
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _clock(seconds: Any) -> str:
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return ""
    if not np.isfinite(value):
        return ""
    total = int(value)
    return f"{total // 60:d}:{total % 60:02d}"


def encounter_html(tid: str, frame: pd.DataFrame, summary: str = "") -> str:
    """One ``<details>`` block: the transcript with coded units highlighted and their evidence."""
    rows = []
    codes_present = [c for c in CODES if c in frame.columns]
    for r in frame.itertuples(index=False):
        rec = r._asdict()
        text = rec.get("clean_text")
        if not isinstance(text, str):
            text = rec.get("text") if isinstance(rec.get("text"), str) else ""
        role = rec.get("role") or ""
        codes = [c for c in codes_present if int(rec.get(c) or 0) == 1]
        evidence = _parse_evidence(rec.get("evidence"))
        spans = [(item.get("start", 0), item.get("end", 0)) for c in codes
                 for item in evidence.get(c, []) if isinstance(item, dict)]
        badges = "".join(f'<span class="badge">{_e(c)}</span>' for c in codes)
        ev = "; ".join(f"{_e(item.get('pattern', '?'))} [{_e(item.get('start'))}–"
                       f"{_e(item.get('end'))}]" for c in codes
                       for item in evidence.get(c, []) if isinstance(item, dict))
        classes = " ".join(x for x in (_e(role), "coded" if codes else "") if x)
        data_codes = " ".join(codes) if role == "clinician" else ""
        rows.append(
            f'<tr class="{classes}" data-codes="{_e(data_codes)}">'
            f'<td class="time">{_e(_clock(rec.get("start")))}</td>'
            f'<td class="who">{_e(rec.get("speaker"))}</td>'
            f'<td class="utt">{_highlight(text, spans) if codes else _e(text)}'
            + (f'<div>{badges} <span class="evidence">{ev}</span></div>' if codes else "")
            + "</td></tr>")
    return (f'<details class="encounter" id="encounter-{_e(tid)}"><summary><strong>{_e(tid)}'
            f"</strong> {_e(summary)}</summary><table class=\"transcript\"><tbody>"
            + "".join(rows) + "</tbody></table></details>")


def render_report(analysis: Any, out: str | Path, *, utterances: pd.DataFrame | None = None,
                  manifest: dict[str, Any] | None = None, errors: pd.DataFrame | None = None,
                  title: str = "ta-nlp study report", notice: str | None = None) -> Path:
    """Write the self-contained report page to ``out`` (a file path) and return it.

    ``analysis``: an :class:`ta_nlp.analysis.AnalysisResult` (with figures written).
    ``utterances``: the coded utterances table (``ta-nlp code``'s ``utterances.csv``) for the
    per-encounter view; ``manifest``: the coding manifest (coder, configuration, inputs);
    ``errors``: inputs that failed. ``notice``: a line shown at the top (e.g. "simulated data").
    """
    template = Template(resources.files("ta_nlp.report").joinpath(TEMPLATE_NAME)
                        .read_text(encoding="utf-8"))
    settings = analysis.settings
    tables = analysis.tables
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")

    facts = {
        "Participants in the outcomes table": settings.get("n_participants"),
        "Coded encounters": settings.get("n_encounters"),
        "Participants linked to an encounter": settings.get("n_linked"),
        "Time points": ", ".join(settings.get("timepoints", [])),
        "Alliance measure": f"{settings.get('alliance')} at {settings.get('alliance_timepoint')}",
        "Intervals / p-values": f"{settings.get('ci_method')} intervals, p by "
                                f"{settings.get('p_method')}, {settings.get('p_adjust')} "
                                "adjustment",
        "Bootstrap / permutation resamples": f"{settings.get('n_resamples')} (seed "
                                             f"{settings.get('seed')})",
        "Toolkit": f"ta-nlp {__version__}",
    }
    facts_html = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts.items())
    notes = list(analysis.notes)
    notes_html = "".join(f"<p>{_e(n)}</p>" for n in notes)
    linkage = tables.get("linkage")
    if linkage is not None and len(linkage):
        notes_html += f"<h3>{_e(_TITLES['linkage'])}</h3>" + table_html(linkage, "table-linkage")
    if errors is not None and len(errors):
        notes_html += "<h3>Inputs that could not be read</h3>" + table_html(errors, "table-errors")

    if manifest:
        coder = manifest.get("coder", {})
        coder_html = (
            f'<dl class="facts"><dt>Coder</dt><dd>{_e(coder.get("name"))}</dd>'
            f'<dt>Fingerprint</dt><dd>{_e(coder.get("fingerprint"))}</dd>'
            f'<dt>Transcripts</dt><dd>{_e(manifest.get("n_transcripts"))}</dd>'
            f'<dt>Clinician units</dt><dd>{_e(manifest.get("n_clinician_units"))}</dd>'
            f'<dt>Codes</dt><dd>{_e(", ".join(manifest.get("codes", [])))}</dd></dl>'
            "<h3>Configuration</h3><pre>"
            + _e(json.dumps(coder.get("config", {}), indent=2, sort_keys=True, default=str))
            + "</pre>")
    else:
        coder_html = "<p>Counts were read from an encounters table; no coding manifest given.</p>"

    figures = analysis.figures or {}

    def fig(name: str) -> str:
        return figure_html(figures.get(name, {}).get("svg"), name)

    def section(name: str) -> str:
        parts = []
        for table in SECTION_TABLES[name]:
            frame = tables.get(table)
            parts.append(f"<h3>{_e(_TITLES[table])}</h3>"
                         + table_html(frame, f"table-{table}",
                                      scroll=frame is not None and len(frame) > 25))
        return "".join(parts)

    alliance_html = fig("alliance_outcomes") + section("alliance")
    behaviours_html = fig("heatmap") + fig("profile") + section("behaviours")
    models_html = section("models")

    encounter_blocks = []
    filter_html = " ".join(f'<label><input type="checkbox" value="{_e(c)}"> {_e(c)}</label>'
                           for c in CODES)
    if utterances is not None and len(utterances):
        for tid, frame in utterances.groupby("transcript_id", sort=False):
            clin = frame[frame["role"] == "clinician"] if "role" in frame else frame
            counts = [f"{c} {int(clin[c].sum())}" for c in CODES
                      if c in clin.columns and int(clin[c].sum())]
            summary = (f"— {len(frame)} utterances, {len(clin)} clinician units; "
                       + (", ".join(counts) if counts else "no codes"))
            encounter_blocks.append(encounter_html(str(tid), frame, summary))
    else:
        encounter_blocks.append("<p>No coded utterances were given.</p>")

    page = template.substitute(
        version=_e(__version__), title=_e(title),
        subtitle=_e(f"Generated {created} by ta-nlp {__version__}"),
        notice=f'<p class="notice">{_e(notice)}</p>' if notice else "",
        facts=facts_html, notes=notes_html, coder=coder_html, alliance=alliance_html,
        behaviours=behaviours_html, models=models_html, filter=filter_html,
        encounters="".join(encounter_blocks))
    path = Path(out)
    atomic_write_text(path, page)
    return path
