"""``ta-nlp code``: a thin wrapper over :func:`ta_nlp.coding.code`."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from ta_nlp.cli.app import app, console, err_console
from ta_nlp.cli.options import parse_columns, parse_roles


@app.command("code")
def code_command(
    paths: list[Path] = typer.Argument(..., help="Transcript files or folders (read recursively)."),
    out: Path = typer.Option(..., "--out", help="Output folder (re-running it resumes)."),
    coder: str = typer.Option(None, "--coder", help="rules, model or ensemble (default: the most "
                              "accurate on the annotated test split)."),
    model: Path = typer.Option(None, "--model", help="Model folder for --coder model/ensemble "
                               "(default: the shipped models/default)."),
    workers: int = typer.Option(1, "--workers", min=1, help="Processes; output is the same for any N."),
    fmt: str = typer.Option(None, "--format", help="Force the input format (default: detect)."),
    columns: str = typer.Option(None, "--columns", help="Table column mapping, e.g. text=utterance_text,speaker=interlocutor."),
    roles: str = typer.Option(None, "--roles", help='Speaker roles, e.g. "Priya Nair=clinician,Sam=patient".'),
    roles_file: Path = typer.Option(None, "--roles-file", help="CSV with columns speaker,role."),
    force: bool = typer.Option(False, "--force", help="Start again in a folder coded with another configuration."),
) -> None:
    """Code every clinician utterance for the codebook behaviours and count them per encounter.

    Writes OUT/utterances.csv, OUT/encounters.csv, OUT/manifest.json (and OUT/errors.csv when an
    input failed; the exit code is then 1). Example: ta-nlp code data/examples/transcripts --out out/coded
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ta_nlp.coding import code

    options = {"path": str(model)} if model is not None else {}
    start = time.perf_counter()
    with Progress(TextColumn("coding"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task("code", total=None, rate="")

        def progress(done: int, total: int) -> None:
            elapsed = max(time.perf_counter() - start, 1e-9)
            bar.update(task, completed=done, total=total,
                       rate=f"{done / elapsed:.1f} transcripts/s")

        result = code(paths, out=out, coder=coder, workers=workers, force=force,
                      coder_options=options, progress=progress, format=fmt,
                      columns=parse_columns(columns), roles=parse_roles(roles),
                      roles_file=roles_file)
    elapsed = time.perf_counter() - start
    n_clin = result.manifest.get("n_clinician_units", 0)
    n_tr = result.manifest.get("n_transcripts", 0)
    console.print(
        f"Coded {n_tr} transcript{'s' * (n_tr != 1)}, {n_clin} clinician units with the "
        f"{result.manifest['coder']['name']} coder in {elapsed:.1f} s, loading included "
        f"({result.n_reused} reused from an earlier run).")
    console.print(f"Wrote {out}/utterances.csv, {out}/encounters.csv, {out}/manifest.json")
    if len(result.errors):
        err_console.print(f"{len(result.errors)} input(s) failed: see {out}/errors.csv")
        raise typer.Exit(1)
