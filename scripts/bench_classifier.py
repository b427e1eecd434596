"""Benchmark the transformer coder on CPU: training time, inference throughput, PriMock57 coding.

Usage: ``python scripts/bench_classifier.py [--model models/default] [--train-batches 15]
[--units 600] [--json out.json]``

1. Training: one epoch of the default recipe is too long to repeat here, so a fraction is timed:
   ``--train-batches`` batches of the real corpus with adapters on the top 4 layers and the
   frozen bottom cached (the default), and the same number with adapters on all 6 layers and no
   cache (the baseline, same run). Each is extrapolated to a full epoch (batches per epoch x time
   per batch, plus the one-off caching) and reported with the ratio. The epoch times recorded
   while the shipped model was trained (its config.json) are printed beside them.
2. Inference: ``--units`` clinician units of the dev and test splits coded by the shipped model
   in fp32 and with dynamic int8 quantization (same run, best of 2), in clinician units per
   second, with the ratio, the share of identical code decisions, and test macro-F1 of each.
3. PriMock57: the rule, model and ensemble coders (the default of ``ta-nlp code`` is named) on
   all 57 consultations of ../shared/data/primock57, in batches of whole consultations as
   ``ta-nlp code`` does, in clinician units per second and time relative to the rules (throughput only; no labels
   are read). Skipped with a message when ../shared is absent.

Numbers depend on the machine and its load: compare ratios measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]


def bench_training(data: Path, batches: int) -> dict:
    from ta_nlp.classifier import train

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, layers in (("top4_cached", 4), ("all6_baseline", None)):
            out = train(data, Path(tmp) / label, epochs=1, limit_batches=batches,
                        train_layers=layers, tune_with_rules=False, progress=lambda m: None)
            config = json.loads((out / "config.json").read_text())
            t = config["training"]
            per_batch = t["epoch_seconds"][0] / batches
            full_batches = -(-t["n_units"]["train"] // t["batch_size"])
            results[label] = {
                "seconds_per_batch": round(per_batch, 3),
                "cache_seconds": t.get("cache_seconds", 0.0),
                "batches_per_epoch": full_batches,
                "epoch_minutes_extrapolated": round(
                    (per_batch * full_batches + t.get("cache_seconds", 0.0)) / 60, 1),
            }
    results["speedup_per_batch"] = round(results["all6_baseline"]["seconds_per_batch"]
                                         / results["top4_cached"]["seconds_per_batch"], 2)
    return results


def bench_inference(model_dir: Path | None, data: Path, n_units: int) -> dict:
    from ta_nlp.classifier import ModelCoder
    from ta_nlp.classifier.metrics import macro_f1
    from ta_nlp.codes import CODES
    from ta_nlp.corpus import labelled_mask, load_splits

    splits = load_splits(data)
    frames = []
    for name in ("dev", "test"):
        frames.append(splits[name].assign(_split=name))
    import pandas as pd

    frame = pd.concat(frames, ignore_index=True)
    clinician = np.flatnonzero((frame["role"] == "clinician").to_numpy())
    keep_rows = clinician[:n_units]
    # keep the context rows before each kept unit: cut the frame after the last kept unit
    frame = frame.iloc[: keep_rows[-1] + 1].reset_index(drop=True)
    out: dict = {"units": len(keep_rows)}
    scores = {}
    for label, quantize in (("fp32", False), ("int8", True)):
        coder = ModelCoder(model_dir, quantize=quantize)
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            rows, s = coder.scores(frame)
            best = min(best, time.perf_counter() - start)
        scores[label] = (s >= coder.model.thresholds)
        test = splits["test"].reset_index(drop=True)
        t_rows, t_scores = coder.scores(test)
        mask = labelled_mask(test).to_numpy()[t_rows]
        gold = test.iloc[t_rows[mask]][list(CODES)].to_numpy(dtype=bool)
        out[label] = {"units_per_second": round(len(rows) / best, 1),
                      "test_macro_f1": round(macro_f1(gold, t_scores[mask] >= coder.model.thresholds,
                                                      CODES), 4)}
    out["int8_speedup"] = round(out["int8"]["units_per_second"] / out["fp32"]["units_per_second"], 2)
    out["identical_decisions"] = round(float((scores["fp32"] == scores["int8"]).mean()), 4)
    return out


def bench_primock(shared: Path, model_dir: Path | None) -> dict | None:
    import pandas as pd

    from ta_nlp.coding import DEFAULT_CODER, batches, make_coder
    from ta_nlp.corpus import clean_text

    path = shared / "data" / "primock57" / "utterances.csv"
    if not path.is_file():
        return None
    table = pd.read_csv(path, dtype={"transcript_id": str, "utterance_id": str})
    table["role"] = table["speaker"].map({"doctor": "clinician", "patient": "patient"})
    table["clean_text"] = table["text"].map(clean_text)
    frame = table[["transcript_id", "utterance_id", "speaker", "role", "start", "end", "text",
                   "clean_text"]]
    n_clinician = int((frame["role"] == "clinician").sum())
    out = {"consultations": int(frame["transcript_id"].nunique()),
           "clinician_units": n_clinician, "default_coder": DEFAULT_CODER}
    for name in ("rules", "model", "ensemble"):
        options = {"path": model_dir} if name != "rules" and model_dir is not None else {}
        coder = make_coder(name, **options)
        groups = [t.reset_index(drop=True) for _, t in frame.groupby("transcript_id", sort=False)]
        start = time.perf_counter()
        for batch in batches(groups):   # as ta-nlp code does: batches of whole transcripts
            coder.code_frame(pd.concat(batch, ignore_index=True))
        seconds = time.perf_counter() - start
        out[name] = {"seconds": round(seconds, 1),
                     "clinician_units_per_second": round(n_clinician / seconds, 1),
                     "time_vs_rules": None}
    for name in ("model", "ensemble"):
        out[name]["time_vs_rules"] = round(out[name]["seconds"] / out["rules"]["seconds"], 2)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="model folder (default: shipped)")
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "annotated")
    parser.add_argument("--train-batches", type=int, default=15)
    parser.add_argument("--units", type=int, default=600)
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    import torch

    from ta_nlp.classifier import default_model_dir

    model_dir = args.model or default_model_dir()
    report: dict = {"threads": torch.get_num_threads(), "cpu_count": os.cpu_count(),
                    "load_average": os.getloadavg()}
    config = json.loads((model_dir / "config.json").read_text())
    report["recorded_training"] = {k: config["training"].get(k) for k in (
        "epoch_seconds", "cache_seconds", "batches_per_epoch", "num_threads", "epochs")}
    if not args.skip_training:
        report["training"] = bench_training(args.data, args.train_batches)
        print(json.dumps({"training": report["training"]}, indent=2), flush=True)
    report["inference"] = bench_inference(model_dir, args.data, args.units)
    print(json.dumps({"inference": report["inference"]}, indent=2), flush=True)
    primock = bench_primock(ROOT.parent / "shared", args.model)
    if primock is None:
        print("PriMock57 throughput skipped: ../shared/data/primock57 is absent.")
    else:
        report["primock57"] = primock
        print(json.dumps({"primock57": primock}, indent=2), flush=True)
    report["load_average_end"] = os.getloadavg()
    if args.json:
        from ta_nlp.io import atomic_write_json

        atomic_write_json(args.json, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
