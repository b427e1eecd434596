"""The model card (``README.md`` of a model folder), generated from the template
``ta_nlp/resources/model_card.md`` and the folder's config and metrics."""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from string import Template

from ta_nlp import __version__
from ta_nlp.classifier.files import (
    CARD_NAME,
    CONFIG_NAME,
    ENSEMBLE_NAME,
    METRICS_NAME,
    THRESHOLDS_NAME,
)
from ta_nlp.codes import CODES
from ta_nlp.io import atomic_write_text


def _fmt(value) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.2f}"


def metrics_table(per_code: dict, codes=CODES) -> str:
    lines = ["| code | support | precision | recall | F1 |", "|---|---:|---:|---:|---:|"]
    for code in (*codes, "micro", "macro"):
        row = per_code.get(code)
        if row is None:
            continue
        name = f"**{code}**" if code in ("micro", "macro") else f"`{code}`"
        lines.append(f"| {name} | {row['support']} | {_fmt(row['precision'])} | "
                     f"{_fmt(row['recall'])} | {_fmt(row['f1'])} |")
    return "\n".join(lines)


def comparison_table(test: dict, codes=CODES) -> str:
    coders = [c for c in ("rules", "model", "ensemble") if c in test]
    if len(coders) < 2:
        return ("Rules and ensemble were not compared (the rule coder was not available when this "
                "model was trained).")
    lines = ["F1 on the test split, rules vs model vs ensemble (ensemble: `ensemble.json`):", "",
             "| code | support | " + " | ".join(coders) + " |",
             "|---|---:|" + "---:|" * len(coders)]
    for code in (*codes, "micro", "macro"):
        support = test["model"].get(code, {}).get("support", "")
        cells = " | ".join(_fmt(test[c].get(code, {}).get("f1")) for c in coders)
        name = f"**{code}**" if code in ("micro", "macro") else f"`{code}`"
        lines.append(f"| {name} | {support} | {cells} |")
    return "\n".join(lines)


def ensemble_section(folder: Path, codes=CODES) -> str:
    path = folder / ENSEMBLE_NAME
    if not path.is_file():
        return ""
    ensemble = json.loads(path.read_text(encoding="utf-8"))
    rules = ensemble.get("rules", {})
    lines = ["## Ensemble (`--coder ensemble`)",
             (f"Decision per code: {ensemble['method']}. Tuned with the rule coder "
             f"`{rules.get('coder')}` version {rules.get('version')} (config sha256 "
             f"`{str(rules.get('config_sha256'))[:12]}…`); if the rules change, re-tune with "
             "`ta_nlp.classifier.tune_ensemble(MODEL)`."), "",
             "| code | model alone from | rule fired and model from |", "|---|---:|---:|"]
    for code in codes:
        params = ensemble["codes"][code]
        alone = "never" if params["model_threshold"] is None else f"{params['model_threshold']:.2f}"
        rule = "rules unused" if params["rule_threshold"] is None else f"{params['rule_threshold']:.2f}"
        lines.append(f"| `{code}` | {alone} | {rule} |")
    return "\n".join(lines)


def render_card(model_dir: str | Path) -> str:
    folder = Path(model_dir)
    config = json.loads((folder / CONFIG_NAME).read_text(encoding="utf-8"))
    metrics = json.loads((folder / METRICS_NAME).read_text(encoding="utf-8"))
    thresholds = json.loads((folder / THRESHOLDS_NAME).read_text(encoding="utf-8"))
    training = config["training"]
    lora = config.get("lora")
    n_units, n_tr = training["n_units"], training["n_transcripts"]
    data_lines = ["| split | transcripts | labelled clinician units | by source |",
                  "|---|---:|---:|---|"]
    for split in ("train", "dev", "test"):
        by_source = ", ".join(f"{k} {v}" for k, v in training["units_by_source"][split].items())
        data_lines.append(f"| {split} | {n_tr[split]} | {n_units[split]} | {by_source or '–'} |")
    seconds = training.get("epoch_seconds") or []
    epoch_time = (f"{sum(seconds) / len(seconds) / 60:.1f} min per epoch on "
                  f"{training['num_threads']} CPU thread(s)" if seconds else "time not recorded")
    if training.get("limit_batches"):
        epoch_time += f" (epochs cut to {training['limit_batches']} batches)"
    test = metrics.get("test", {})
    template = Template(resources.files("ta_nlp").joinpath("resources", "model_card.md")
                        .read_text(encoding="utf-8"))
    return template.substitute(
        name=folder.name, codes=", ".join(f"`{c}`" for c in CODES), version=__version__,
        base_id=config["base"]["id"], base_sha256=config["base"]["sha256"],
        adaptation=(f"LoRA adapters (PEFT; r={lora['r']}, alpha={lora['alpha']}) on "
                    f"{', '.join(lora['targets'])} of the top {config.get('train_layers')} "
                    "encoder layer(s), plus a two-layer head"
                    if lora else "every encoder weight fine-tuned, plus a two-layer head"),
        context_units=config["context_units"], max_length=config["max_length"],
        epochs=training["epochs"], best_epoch=training["best_epoch"], seed=training["seed"],
        batch_size=training["batch_size"], learning_rate=training["learning_rate"],
        epoch_time=epoch_time, data=training["data"], data_table="\n".join(data_lines),
        positives=", ".join(f"{c} {n}" for c, n in training["positives_train"].items()),
        test_table=(metrics_table(test["model"]) if "model" in test
                    else "No test split: no test metrics."),
        comparison=comparison_table(test) if test else "",
        thresholds=", ".join(f"{c} {t:.2f}" for c, t in thresholds.items()),
        ensemble=ensemble_section(folder),
        out=folder.as_posix(),
        versions=", ".join(f"{k} {v}" for k, v in training["versions"].items()),
        threads=training["num_threads"],
    )


def write_card(model_dir: str | Path) -> Path:
    return atomic_write_text(Path(model_dir) / CARD_NAME, render_card(model_dir))
