"""``ta-nlp segment``: a thin wrapper over :func:`ta_nlp.segment.segment`."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from ta_nlp.cli.app import app, console, err_console
from ta_nlp.errors import TaNlpError

_HELP = (
    "Read transcripts, resolve speaker roles, split turns and measure timing per encounter.\n\n"
    "Writes OUT/utterances.csv (one row per utterance), OUT/encounters.csv (one row per "
    "transcript: talk time, words, response latency, overlaps, role evidence) and, when an input "
    "failed, OUT/errors.csv; the other inputs are still read and the exit code is 1.\n\n"
    "Example: ta-nlp segment data/examples/transcripts --out out/seg "
    "--roles-file data/examples/roles.csv"
)


@app.command("segment", help=_HELP)
def segment_command(
    paths: list[Path] = typer.Argument(..., help="Transcript files or folders (read recursively)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder for utterances.csv, "
                             "encounters.csv (and errors.csv when an input failed)."),
    fmt: str = typer.Option(None, "--format", "-f", help="Force the input format: text, vtt, srt, "
                            "textgrid, csv, tsv, jsonl, parquet, whisper, docx (default: detect)."),
    columns: str = typer.Option(None, "--columns", help="Table column mapping target=source, e.g. "
                                "text=utterance_text,speaker=interlocutor."),
    roles: str = typer.Option(None, "--roles", help='Speaker roles, e.g. "Priya Nair=clinician,'
                              'Sam Okafor=patient".'),
    roles_file: Path = typer.Option(None, "--roles-file", help="CSV with columns speaker,role "
                                    "(optionally transcript_id)."),
    manifest: Path = typer.Option(None, "--manifest", help="CSV transcript_id,file,speaker grouping "
                                  "one-speaker files (channels) into transcripts."),
    allow_unordered: bool = typer.Option(False, "--allow-unordered", help="Keep units whose "
                                         "times go backwards, in file order."),
) -> None:
    """``ta-nlp segment`` (help text: ``_HELP``): segment, print a summary, exit 1 on failures."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ta_nlp.segment import segment

    start = time.perf_counter()
    with Progress(TextColumn("segmenting"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("segment", total=None)

        def progress(done: int, total: int, _path: Path) -> None:
            bar.update(task, completed=done, total=total)

        result = segment(paths, out=out, format=fmt, columns=columns, roles=roles,
                         roles_file=roles_file, manifest=manifest, allow_unordered=allow_unordered,
                         progress=progress)
    elapsed = time.perf_counter() - start
    n_utt = len(result.utterances)
    timed = int(result.encounters["has_timing"].sum()) if len(result.encounters) else 0
    console.print(f"Segmented {len(result.encounters)} transcripts ({timed} timed), {n_utt} "
                  f"utterances in {elapsed:.2f} s ({n_utt / max(elapsed, 1e-9):,.0f} utterances/s).",
                  soft_wrap=True)
    written = f"{out}/utterances.csv, {out}/encounters.csv"
    if not result.errors.empty:
        written += f", {out}/errors.csv"
    console.print(f"Wrote {written}", soft_wrap=True)
    if not result.errors.empty:
        for row in result.errors.head(10).itertuples(index=False):
            err_console.print(f"  {row.error}", markup=False, soft_wrap=True, highlight=False)
        if len(result.errors) > 10:
            err_console.print(f"  … and {len(result.errors) - 10} more.")
        # run_app prints this and exits with 1 (all outputs are already written)
        raise TaNlpError.make("E109", failed=len(result.errors), path=out / "errors.csv")
