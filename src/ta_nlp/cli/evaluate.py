"""``ta-nlp evaluate`` and ``ta-nlp agreement``: thin wrappers over :mod:`ta_nlp.evaluation`."""

from __future__ import annotations

from pathlib import Path

import typer

from ta_nlp.cli.app import app, console


@app.command()
def evaluate(
    gold: Path = typer.Option(..., "--gold", help="Gold labels: labels CSV, annotated table, corpus .txt, or a folder."),
    pred: Path = typer.Option(..., "--pred", help="Predictions: `ta-nlp code` utterances.csv or a labels table."),
    out: Path = typer.Option(..., "--out", help="Folder for units.csv, encounters.csv and report.md."),
    n_boot: int = typer.Option(1000, "--n-boot", help="Bootstrap resamples (transcripts)."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Score predicted codes against gold labels: P/R/F1/kappa per code, encounter-level agreement.

    Example: ta-nlp evaluate --gold data/annotated/primock57 --pred out/utterances.csv --out eval/
    """
    from ta_nlp.evaluation import evaluate as run_evaluate

    result = run_evaluate(gold, pred, out=out, n_boot=n_boot, seed=seed)
    macro = result.units.set_index("code").loc["macro"]
    console.print(f"{result.n_units} units in {result.n_transcripts} transcripts; "
                  f"macro F1 {macro['f1']:.3f} (95% CI {macro['f1_ci_low']:.3f}–"
                  f"{macro['f1_ci_high']:.3f}). Tables in {out}/")


@app.command()
def agreement(
    coder_a: Path = typer.Argument(..., help="First coder's labels (file or folder)."),
    coder_b: Path = typer.Argument(..., help="Second coder's labels (file or folder)."),
    out: Path = typer.Option(None, "--out", help="Folder for agreement.csv and agreement.md."),
) -> None:
    """Per-code Cohen's kappa and Krippendorff's alpha between two human coders.

    Example: ta-nlp agreement data/annotated/primock57 data/annotated/primock57/double
    """
    from ta_nlp.evaluation import agreement as run_agreement

    table = run_agreement(coder_a, coder_b, out=out)
    for row in table.itertuples(index=False):
        console.print(f"{row.code:<22} n={row.n_units:<5} kappa={row.kappa:6.3f} "
                      f"alpha={row.alpha:6.3f} agreement={row.percent_agreement:.3f}")
