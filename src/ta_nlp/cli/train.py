"""``ta-nlp train``: a thin wrapper over :func:`ta_nlp.classifier.train`."""

from __future__ import annotations

from pathlib import Path

import typer

from ta_nlp.cli.app import app, console, err_console


@app.command("train")
def train_command(
    data: Path = typer.Option(Path("data/annotated"), "--data",
                              help="Annotated corpus folder (pt/*.txt, primock57/*.csv, splits.csv)."),
    out: Path = typer.Option(..., "--out", help="Folder to write the model to, e.g. models/mine."),
    base: str = typer.Option(None, "--base", help="Base encoder: a local folder or a cached hub id "
                             "(default: the packaged, hash-verified all-MiniLM-L6-v2)."),
    epochs: int = typer.Option(5, "--epochs", help="Passes over the training split."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same model)."),
    max_length: int = typer.Option(128, "--max-length", help="Tokens per unit + context."),
    context_units: int = typer.Option(2, "--context-units", help="Preceding units used as context."),
    train_layers: int = typer.Option(4, "--train-layers", help="Top encoder layers that get "
                                     "adapters (0: all); the frozen ones below are cached."),
    batch_size: int = typer.Option(16, "--batch-size"),
    learning_rate: float = typer.Option(1e-3, "--learning-rate"),
    no_lora: bool = typer.Option(False, "--no-lora", help="Fine-tune every encoder weight "
                                 "(large folder) instead of LoRA adapters."),
    force: bool = typer.Option(False, "--force", help="Replace a model already in --out."),
) -> None:
    """Fine-tune the transformer coder on the annotated corpus and save a model folder.

    The folder holds config.json, the LoRA adapter, the head, labels, dev-tuned thresholds,
    metrics and a model card (README.md). Example: ta-nlp train --data data/annotated --out models/mine --epochs 5
    """
    from ta_nlp.classifier import train

    folder = train(data=data, out=out, base=base, epochs=epochs, seed=seed, lora=not no_lora,
                   max_length=max_length, context_units=context_units, batch_size=batch_size,
                   train_layers=train_layers or None,
                   learning_rate=learning_rate, force=force,
                   progress=lambda message: err_console.print(message, markup=False))
    console.print(f"Saved the model to {folder} (model card: {folder}/README.md)")
