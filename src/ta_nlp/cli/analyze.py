"""``ta-nlp analyze``: a thin wrapper over :func:`ta_nlp.analysis.analyze`."""

from __future__ import annotations

from pathlib import Path

import typer

from ta_nlp.cli.app import app, console, err_console


def split_list(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


@app.command("analyze")
def analyze_command(
    encounters: Path = typer.Option(..., "--encounters", help="encounters.csv from ta-nlp code."),
    outcomes: Path = typer.Option(..., "--outcomes", help="Outcomes table (CSV, TSV or Parquet; "
                                  "long, wide or tidy)."),
    out: Path = typer.Option(..., "--out", help="Output folder for tables and figures."),
    timepoints: str = typer.Option("pre_eval,post_eval,follow_up",
                                   "--timepoints", help="Time points in study order, "
                                   "comma-separated."),
    measure: list[str] = typer.Option(None, "--measure", help="Declare a measure: "
                                      "NAME=LOW:HIGH[:higher|lower], e.g. odi=0:100:lower "
                                      "(repeatable)."),
    features: str = typer.Option(None, "--features", help="Encounter columns to correlate, "
                                 "comma-separated (default: <code>_n and timing figures)."),
    covariates: str = typer.Option(None, "--covariates", help="Outcome-table columns to control "
                                   "for in partial correlations, comma-separated."),
    p_adjust: str = typer.Option("holm", "--p-adjust", help="holm, fdr_bh, bonferroni or none."),
    ci_method: str = typer.Option("bonett-wright", "--ci-method",
                                  help="fisher, bonett-wright or bootstrap."),
    resamples: int = typer.Option(9999, "--resamples", help="Bootstrap and permutation "
                                  "resamples (0 skips them)."),
    seed: int = typer.Option(0, "--seed", help="Seed for bootstrap and permutation."),
    strict: bool = typer.Option(False, "--strict", help="Stop when a participant or encounter "
                                "does not link (default: analyse the rest and list them)."),
    figures: bool = typer.Option(True, "--figures/--no-figures", help="Draw the figures "
                                 "(default) or write only the tables."),
) -> None:
    """Correlate behaviour counts and timing with alliance and outcomes; write tables and figures.

    Writes OUT/tables/*.csv and *.md, OUT/figures/*.png and *.svg, OUT/summary.md and
    OUT/analysis.json. Example: ta-nlp analyze --encounters out/coded/encounters.csv
    --outcomes data/examples/outcomes.csv --out out/analysis
    """
    from ta_nlp.analysis import analyze

    result = analyze(encounters, outcomes, out, timepoints=split_list(timepoints),
                     measures=measure or None, features=split_list(features),
                     covariates=split_list(covariates) or (), p_adjust=p_adjust,
                     ci_method=ci_method, n_resamples=resamples, seed=seed, strict=strict,
                     figures=figures)
    s = result.settings
    console.print(f"Linked {s['n_linked']} of {s['n_participants']} participants to "
                  f"{s['n_encounters']} coded encounters; alliance {s['alliance']} at "
                  f"{s['alliance_timepoint']}.")
    for row in result.tables["alliance_outcomes"].itertuples():
        console.print(f"  {row.alliance} ~ {row.measure} @ {row.timepoint}: rho {row.rho:+.2f} "
                      f"[{row.ci_low:+.2f}, {row.ci_high:+.2f}], p {row.p_val:.3g}, n {row.n}")
    for note in result.notes:
        err_console.print(f"Note: {note}")
    console.print(f"Wrote {out}/tables, " + (f"{out}/figures, " if figures else "")
                  + f"{out}/summary.md")
