"""One command from transcripts to a study report: segment -> code -> count -> analyze -> report.

``run(paths, outcomes, out=DIR)`` is what ``ta-nlp run`` runs. It writes

- ``DIR/coded/``: ``utterances.csv``, ``encounters.csv``, ``manifest.json`` (and ``errors.csv``)
  from :func:`ta_nlp.coding.code` (resumable: a re-run reuses what is already coded);
- ``DIR/analysis/``: tables, figures and ``analysis.json`` from :func:`ta_nlp.analysis.analyze`;
- ``DIR/report.html``: the self-contained report (:func:`ta_nlp.report.render_report`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ta_nlp.outcomes import DEFAULT_TIMEPOINTS, Measure

REPORT_NAME = "report.html"


@dataclass
class RunResult:
    """What :func:`run` returns: the coding result, the analysis and the report's path."""

    coded: Any
    analysis: Any
    report: Path
    out: Path

    @property
    def n_failed(self) -> int:
        return len(self.coded.errors)


def run(paths: str | Path | Sequence[str | Path], outcomes: str | Path, out: str | Path, *,
        coder: str | None = None, workers: int = 1, coder_options: dict | None = None,
        force: bool = False, timepoints: Sequence[str] = DEFAULT_TIMEPOINTS,
        measures: Sequence[Measure | str] | None = None, strict: bool = False,
        n_resamples: int = 9999, seed: int = 0, title: str = "ta-nlp study report",
        notice: str | None = None, progress: Callable[[int, int], None] | None = None,
        **read_options) -> RunResult:
    """Segment and code ``paths``, analyse them with ``outcomes`` and write ``out/report.html``.

    ``coder``, ``workers``, ``coder_options``, ``force`` and ``read_options`` go to
    :func:`ta_nlp.coding.code`; ``timepoints``, ``measures``, ``strict``, ``n_resamples`` and
    ``seed`` to :func:`ta_nlp.analysis.analyze`. Inputs that fail to read are listed in the report
    (and ``coded/errors.csv``) and do not stop the run.
    """
    from ta_nlp.analysis import analyze
    from ta_nlp.coding import code
    from ta_nlp.outcomes import read_outcomes
    from ta_nlp.report import render_report

    out = Path(out)
    # read the outcomes first: a bad outcomes table fails before any coding time is spent
    table = read_outcomes(outcomes, timepoints=timepoints, measures=measures)
    coded = code(paths, out=out / "coded", coder=coder, workers=workers, force=force,
                 coder_options=coder_options, progress=progress, **read_options)
    analysis = analyze(coded.encounters, table, out=out / "analysis", strict=strict,
                       n_resamples=n_resamples, seed=seed)
    analysis.settings["encounters"] = str(out / "coded" / "encounters.csv")
    report = render_report(analysis, out / REPORT_NAME, utterances=coded.utterances,
                           manifest=coded.manifest, errors=coded.errors, title=title,
                           notice=notice)
    return RunResult(coded=coded, analysis=analysis, report=report, out=out)
