"""``ta-nlp run``: a thin wrapper over :func:`ta_nlp.pipeline.run`."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from ta_nlp.cli.analyze import split_list
from ta_nlp.cli.app import app, console, err_console
from ta_nlp.cli.options import parse_columns, parse_roles


@app.command("run")
def run_command(
    paths: list[Path] = typer.Argument(..., help="Transcript files or folders (read recursively)."),
    outcomes: Path = typer.Option(..., "--outcomes", help="Outcomes table (CSV, TSV or Parquet)."),
    out: Path = typer.Option(..., "--out", help="Output folder; the report is OUT/report.html."),
    coder: str = typer.Option(None, "--coder", help="rules, model or ensemble (default: the "
                              "toolkit's default coder)."),
    workers: int = typer.Option(1, "--workers", min=1, help="Coding processes."),
    timepoints: str = typer.Option("pre_eval,post_eval,follow_up", "--timepoints",
                                   help="Time points in study order, comma-separated."),
    measure: list[str] = typer.Option(None, "--measure", help="Declare a measure: "
                                      "NAME=LOW:HIGH[:higher|lower] (repeatable)."),
    resamples: int = typer.Option(9999, "--resamples", help="Bootstrap and permutation "
                                  "resamples (0 skips them)."),
    seed: int = typer.Option(0, "--seed", help="Seed for bootstrap and permutation."),
    strict: bool = typer.Option(False, "--strict", help="Stop when a participant or encounter "
                                "does not link."),
    force: bool = typer.Option(False, "--force", help="Recode a folder coded with another "
                               "configuration."),
    title: str = typer.Option("ta-nlp study report", "--title", help="Title of the report."),
    fmt: str = typer.Option(None, "--format", help="Force the input format (default: detect)."),
    columns: str = typer.Option(None, "--columns", help="Table column mapping, e.g. "
                                "text=utterance_text,speaker=interlocutor."),
    roles: str = typer.Option(None, "--roles", help='Speaker roles, e.g. "Priya Nair=clinician".'),
    roles_file: Path = typer.Option(None, "--roles-file", help="CSV with columns speaker,role "
                                    "(and optionally transcript_id)."),
) -> None:
    """Segment, code, count and analyse transcripts with an outcomes table; write a report.

    Writes OUT/coded/ (as ta-nlp code), OUT/analysis/ (as ta-nlp analyze) and OUT/report.html, a
    self-contained page. Example: ta-nlp run data/examples/transcripts --outcomes
    data/examples/outcomes.csv --roles-file data/examples/roles.csv --out out/example
    """
    from ta_nlp.pipeline import run

    start = time.perf_counter()
    result = run(paths, outcomes, out, coder=coder, workers=workers, force=force,
                 timepoints=split_list(timepoints), measures=measure or None, strict=strict,
                 n_resamples=resamples, seed=seed, title=title, format=fmt,
                 columns=parse_columns(columns), roles=parse_roles(roles), roles_file=roles_file)
    elapsed = time.perf_counter() - start
    s = result.analysis.settings
    console.print(f"Coded {result.coded.manifest.get('n_transcripts', 0)} transcripts with the "
                  f"{result.coded.manifest['coder']['name']} coder; linked {s['n_linked']} of "
                  f"{s['n_participants']} participants; {elapsed:.1f} s.")
    for note in result.analysis.notes:
        err_console.print(f"Note: {note}")
    console.print(f"Report: {result.report}")
    if result.n_failed:
        err_console.print(f"{result.n_failed} input(s) failed: see {out}/coded/errors.csv")
        raise typer.Exit(1)
