"""``ta-nlp simulate``: a thin wrapper over :func:`ta_nlp.simulate.simulate`."""

from __future__ import annotations

from pathlib import Path

import typer

from ta_nlp.cli.app import app, console


@app.command("simulate")
def simulate_command(
    out: Path = typer.Option(..., "--out", help="Output folder."),
    n: int = typer.Option(60, "--n", help="Number of participants."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same study)."),
    rho: float = typer.Option(-0.39, "--rho", help="Population Spearman correlation of WAI-SR "
                              "total with NPRS pain."),
    rho_function: float = typer.Option(0.30, "--rho-function", help="The same for PSFS function."),
    transcripts: bool = typer.Option(True, "--transcripts/--no-transcripts",
                                     help="Write the composed conversations (default) or only "
                                     "the tables."),
) -> None:
    """Simulate a study with known ground truth (SIMULATED DATA, for testing the toolkit).

    Writes OUT/outcomes.csv, OUT/transcripts/*.txt, OUT/truth_units.csv, OUT/encounters_truth.csv,
    OUT/truth.json and OUT/README.md. Example: ta-nlp simulate --n 60 --seed 1 --out sim
    """
    from ta_nlp.simulate import simulate

    result = simulate(n, out, seed=seed, rho=rho, rho_function=rho_function,
                      transcripts=transcripts)
    population = result.truth["population"]["spearman_wai_total_nprs"]
    console.print(f"Simulated {n} participants (seed {seed}); population rho(WAI-SR, NPRS) by "
                  "time point: " + ", ".join(f"{k} {v:.3f}" for k, v in population.items()))
    console.print(f"Wrote {out}/outcomes.csv, {out}/truth.json"
                  + (f", {len(result.transcripts)} transcripts in {out}/transcripts"
                     if transcripts else ""))
