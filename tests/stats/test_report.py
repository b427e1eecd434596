"""The HTML report: structure, escaping and self-containment; rendered in headless Chromium."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from ta_nlp.analysis import analyze
from ta_nlp.codes import CODES
from ta_nlp.report import render_report
from ta_nlp.simulate import simulate

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE = 'So the <b>pain</b> & "stiffness" <img src=x onerror="document.title=\'pwned\'">'


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.marks: list[str] = []
        self._in_mark = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_mark = tag == "mark"

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark = False

    def handle_data(self, data):
        if self._in_mark:
            self.marks.append(data)


def _coded_utterances(tids: list[str]) -> pd.DataFrame:
    rows = []
    for tid in tids:
        texts = [("Physio", "clinician", "What brings you in today?"),
                 ("Patient", "patient", "My knee, mostly on stairs."),
                 ("Physio", "clinician", HOSTILE),
                 ("Patient", "patient", "Yes.")]
        for k, (speaker, role, text) in enumerate(texts):
            row = {"transcript_id": tid, "utterance_id": f"{tid}-{k:04d}", "speaker": speaker,
                   "role": role, "start": 5.0 * k, "end": None, "text": text,
                   "clean_text": text, **{c: 0 for c in CODES}, "evidence": "{}"}
            if k == 0:
                row["information_gathering"] = 1
                row["evidence"] = json.dumps({"information_gathering": [
                    {"pattern": "information_gathering.ctx_wh_question", "start": 0, "end": 4}]})
            if k == 2:
                row["restating"] = 1
                row["evidence"] = json.dumps({"restating": [
                    {"pattern": "restating.stem_so", "start": 0, "end": 6}]})
            rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("report")
    sim = simulate(12, folder / "sim", seed=4, transcripts=False)
    analysis = analyze(folder / "sim" / "encounters_truth.csv", folder / "sim" / "outcomes.csv",
                       folder / "analysis", n_resamples=199)
    tids = list(sim.encounters["transcript_id"])
    manifest = {"coder": {"name": "rules", "fingerprint": "abc123",
                          "config": {"factory": "ta_behaviour_ruler_v1", "note": "<x>"}},
                "n_transcripts": len(tids), "n_clinician_units": 2 * len(tids),
                "codes": list(CODES)}
    errors = pd.DataFrame({"file": ["bad.txt"], "line": [3], "error": ["E101 <bad> input"]})
    path = render_report(analysis, folder / "report.html", utterances=_coded_utterances(tids),
                         manifest=manifest, errors=errors, notice="Simulated data")
    return path, tids


def test_report_structure_escaping_and_self_containment(report):
    path, tids = report
    page = path.read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(page)
    tags = parser.tags
    # one collapsible view per encounter, with its id
    encounters = [a for t, a in tags if t == "details" and a.get("class") == "encounter"]
    assert [a["id"] for a in encounters] == [f"encounter-{t}" for t in tids]
    # transcript text is escaped: no <img> or <b> from it, the text is shown literally
    assert not any(t == "img" and a.get("src") == "x" for t, a in tags)
    assert not any(t == "b" for t, _ in tags)
    assert "&lt;img src=x onerror=" in page and "&lt;b&gt;pain&lt;/b&gt;" in page
    assert "E101 &lt;bad&gt; input" in page and "&lt;x&gt;" in page
    # evidence spans are marked, pattern ids shown
    assert parser.marks.count("What") == len(tids) and parser.marks.count("So the") == len(tids)
    assert "information_gathering.ctx_wh_question [0–4]" in page
    # self-contained: nothing loaded from elsewhere
    assert not any(t == "link" for t, _ in tags)
    for tag, attrs in tags:
        src = attrs.get("src")
        if src is not None:
            assert src.startswith("data:"), (tag, src[:40])
        href = attrs.get("href")
        if href is not None:
            assert href.startswith("#"), href
    assert sum(1 for t, a in tags if t == "script") == 1
    # the three figures are inlined SVG
    images = [a for t, a in tags if t == "img"]
    assert len(images) == 3
    for attrs in images:
        svg = base64.b64decode(attrs["src"].split(",", 1)[1]).decode("utf-8")
        assert "<svg" in svg
    # the study tables and the coder configuration are there
    ids = {a.get("id") for _, a in tags}
    assert {"table-alliance_outcomes", "table-correlations", "table-mixed_model", "table-power",
            "table-errors"} <= ids
    assert "ta_behaviour_ruler_v1" in page and "abc123" in page and "Simulated data" in page


def _chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed: install it "
                    "(apt-get install -y chromium) to render the report in a real browser")
def test_report_renders_in_headless_chromium(report, tmp_path):
    path, tids = report
    dom = _chromium(["--dump-dom", path.resolve().as_uri()], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    # the page's script ran (it counts the encounter views) and the injected handler did not
    assert f'data-ready="{len(tids)}"' in html
    assert "<title>ta-nlp study report</title>" in html and "pwned" not in html.split("<body")[0]
    shot = tmp_path / "report.png"
    res = _chromium([f"--screenshot={shot}", "--window-size=1280,2000",
                     path.resolve().as_uri()], tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
