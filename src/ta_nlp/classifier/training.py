"""Fine-tune the unit classifier: ``train(data, out, ...)``.

Recipe (defaults in :func:`train`):

- data: :func:`ta_nlp.corpus.load_splits` (transcript-grouped train/dev/test from ``splits.csv``);
  every labelled clinician unit is one example, paired with its preceding context
  (:mod:`ta_nlp.classifier.encoding`);
- model: the base encoder with LoRA adapters (PEFT) on every attention and feed-forward Linear
  of its top ``train_layers`` layers (default 4 of MiniLM's 6), plus a small head
  (:mod:`ta_nlp.classifier.network`); only adapters and head train. The frozen layers below run
  once per unit and their output is cached, which halves the cost of an epoch on a CPU;
- loss: binary cross-entropy over the ten codes with ``pos_weight = clip(sqrt(neg/pos), 1, 10)``
  per code from the training split, so rare codes weigh more without swamping precision;
- order: seeded; each epoch shuffles the units (``numpy.random.default_rng(seed + epoch)``),
  sorts chunks of 32 batches by length (less padding) and shuffles the batches;
- optimiser: AdamW, linear warm-up over the first 10% of steps then linear decay, gradient norm
  clipped at 1;
- selection: after each epoch the dev split is scored with per-code thresholds tuned on it; the
  epoch with the best dev macro-F1 is kept, its thresholds saved, and the test split scored once.

The same data, arguments, seed, library versions and thread count give the same model.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ta_nlp import __version__
from ta_nlp.classifier.base import resolve_base
from ta_nlp.classifier.encoding import collate, encode_pairs, unit_context
from ta_nlp.classifier.files import (
    CONFIG_NAME,
    ENCODER_WEIGHTS_NAME,
    FORMAT_VERSION,
    HEAD_WEIGHTS_NAME,
    LABELS_NAME,
    METRICS_NAME,
    THRESHOLDS_NAME,
    TOKENIZER_DIR,
)
from ta_nlp.classifier.inference import (
    build_encoder,
    load_tokenizer,
    predict_scores,
    quiet_transformers,
)
from ta_nlp.classifier.metrics import prf_table, table_to_dict, tune_threshold
from ta_nlp.codes import CODES
from ta_nlp.corpus import SPLITS, labelled_mask, load_splits
from ta_nlp.errors import CoderError
from ta_nlp.io import atomic_write_json

log = logging.getLogger("ta_nlp.classifier")

POS_WEIGHT_CAP = 10.0


def _gold(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    rows = np.flatnonzero(labelled_mask(frame).to_numpy())
    return rows, frame.iloc[rows][list(CODES)].to_numpy(dtype=np.float32)


def _batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    order = rng.permutation(len(lengths))
    chunk = batch_size * 32
    batches = []
    for start in range(0, len(order), chunk):
        part = order[start:start + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        batches.extend(part[i:i + batch_size] for i in range(0, len(part), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def _bottom_states(network, stack, split: int, encoded, pad_id: int) -> list:
    """Hidden states after the frozen bottom ``split`` layers, one (length, hidden) tensor per
    unit (eval mode: no dropout below the trained layers)."""
    import torch

    from ta_nlp.classifier.network import layer_slice

    model, layers = stack
    network.eval()
    cache: list = [None] * len(encoded)
    order = np.argsort(encoded.lengths, kind="stable")
    with torch.no_grad(), layer_slice(model, layers, 0, split) as bottom:
        for start in range(0, len(order), 64):
            index = order[start:start + 64]
            ids, attention, types, _ = collate(encoded, index, pad_id)
            hidden = bottom(input_ids=ids, attention_mask=attention,
                            token_type_ids=types).last_hidden_state
            for row, i in enumerate(index):
                cache[i] = hidden[row, :len(encoded.input_ids[i])].clone()
    return cache


def _collate_states(encoded, cache: list, index: np.ndarray):
    import torch

    width = max(len(encoded.input_ids[i]) for i in index)
    hidden = torch.zeros((len(index), width, cache[index[0]].shape[-1]))
    attention = torch.zeros((len(index), width), dtype=torch.long)
    unit = torch.zeros((len(index), width))
    for row, i in enumerate(index):
        length = len(encoded.input_ids[i])
        hidden[row, :length] = cache[i]
        attention[row, :length] = 1
        unit[row, :length] = torch.tensor(encoded.unit_mask[i], dtype=torch.float32)
    return hidden, attention, unit


def _top_only(stack, split: int, n_layers: int):
    """Context in which the model runs its top layers only (a no-op without a cache)."""
    import contextlib

    from ta_nlp.classifier.network import layer_slice

    if stack is None:
        return contextlib.nullcontext()
    return layer_slice(stack[0], stack[1], split, n_layers)


def pos_weights(labels: np.ndarray) -> np.ndarray:
    pos = labels.sum(axis=0)
    neg = len(labels) - pos
    ratio = np.where(pos > 0, neg / np.maximum(pos, 1), 1.0)
    return np.clip(np.sqrt(ratio), 1.0, POS_WEIGHT_CAP).astype(np.float32)


def _prepare_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise CoderError.make("E321", path=out, found="a file",
                              fix="Choose a folder name for --out.")
    if out.is_dir() and any(out.iterdir()):
        if not (out / CONFIG_NAME).is_file():
            raise CoderError.make("E321", path=out, found="a non-empty folder that is not a model",
                                  fix="Choose a new --out folder.")
        if not force:
            raise CoderError.make("E321", path=out, found="a saved model",
                                  fix="Pass --force to replace it, or choose a new --out folder.")


def _install(tmp: Path, out: Path) -> None:
    """Move the finished folder into place (the old model, if any, is replaced)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def train(data: str | Path = "data/annotated", out: str | Path = "models/custom",
          base: str | Path | None = None, epochs: int = 5, seed: int = 0, lora: bool = True,
          max_length: int = 128, context_units: int = 2, batch_size: int = 16,
          learning_rate: float = 1e-3, weight_decay: float = 0.01, lora_r: int = 8,
          lora_alpha: int = 16, lora_dropout: float = 0.1, head_hidden: int = 256,
          head_dropout: float = 0.1, pooling: str = "mean+max", train_layers: int | None = 4, splits_file: str | Path | None = None,
          primock_dir: str | Path | None = None, limit_batches: int | None = None,
          tune_with_rules: bool = True, force: bool = False,
          progress: Callable[[str], None] | None = None) -> Path:
    """Fine-tune the classifier on the annotated corpus in ``data`` and save it to ``out``.

    ``base``: None for the packaged, hash-verified all-MiniLM-L6-v2, or a local folder / cached hub
    id. ``lora=False`` fine-tunes every encoder weight (a ~90 MB folder; not for git).
    ``context_units``: how many preceding units form the context. ``train_layers``: adapters go
    on the top that many encoder layers (None: all); the frozen layers below run once per unit
    and are cached, so an epoch costs about ``train_layers / n_layers`` of a full one. ``limit_batches``: stop each
    epoch after that many batches (benchmarks and smoke tests). ``tune_with_rules``: when
    :mod:`ta_nlp.rules` is importable, also tune the ensemble on dev and report rules vs model vs
    ensemble on test. Returns the model folder. See the module doc for the recipe.
    """
    import random

    import torch
    from safetensors.torch import save_file

    from ta_nlp.classifier.network import POOLINGS, Head, UnitClassifier, add_lora, layer_stack

    say = progress or log.info
    if (epochs < 1 or batch_size < 1 or max_length < 8 or context_units < 0
            or pooling not in POOLINGS):
        raise CoderError.make("E323", found=f"epochs={epochs}, batch_size={batch_size}, "
                                            f"max_length={max_length}, context_units={context_units}, "
                                            f"pooling={pooling!r}")
    out = Path(out)
    _prepare_out(out, force)
    resolved = resolve_base(base)
    splits = load_splits(data, splits_file=splits_file, primock_dir=primock_dir)
    rows, gold = {}, {}
    for name in SPLITS:
        rows[name], gold[name] = _gold(splits[name])
    for name in ("train", "dev"):
        if len(rows[name]) == 0:
            raise CoderError.make("E324", split=name, path=data)

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    tokenizer = load_tokenizer(resolved.path)
    encoder = build_encoder(resolved.path)
    hidden_size = int(encoder.config.hidden_size)
    n_layers = int(getattr(encoder.config, "num_hidden_layers", 0) or 0)
    top = n_layers if not train_layers or not n_layers else max(1, min(train_layers, n_layers))
    top_layers = list(range(n_layers - top, n_layers)) if top < n_layers else None
    if lora:
        encoder = add_lora(encoder, lora_r, lora_alpha, lora_dropout, resolved.id, top_layers)
    elif top_layers:  # full fine-tuning of the top layers only
        keep = tuple(f"layer.{i}." for i in top_layers)
        for name, param in encoder.named_parameters():
            param.requires_grad = any(k in name for k in keep)
    head = Head(hidden_size, len(CODES), head_hidden, head_dropout, pooling)
    network = UnitClassifier(encoder, head)
    trainable = [(n, p) for n, p in network.named_parameters() if p.requires_grad]
    n_trainable = sum(p.numel() for _, p in trainable)
    stack = layer_stack(encoder) if top_layers else None
    split = n_layers - top if stack else 0

    def encode(name):
        units, contexts = unit_context(splits[name], rows[name], context_units)
        return encode_pairs(tokenizer, units, contexts, max_length)

    train_enc = encode("train")
    dev_enc = encode("dev")
    pad_id = tokenizer.pad_token_id or 0
    started = time.perf_counter()
    train_cache = _bottom_states(network, stack, split, train_enc, pad_id) if stack else None
    dev_cache = _bottom_states(network, stack, split, dev_enc, pad_id) if stack else None
    cache_seconds = time.perf_counter() - started
    if stack:
        say(f"cached the frozen bottom {split} layer(s) in {cache_seconds:.0f} s; "
            f"training the top {top}")

    def forward(encoded, cache, index):
        if cache is None:
            ids, attention, types, unit = collate(encoded, index, pad_id)
            return network(ids, attention, types, unit)
        hidden, attention, unit = _collate_states(encoded, cache, index)
        out = stack[0](inputs_embeds=hidden, attention_mask=attention).last_hidden_state
        return network.logits(out, attention, unit)

    def score_dev():
        network.eval()
        order = np.argsort(dev_enc.lengths, kind="stable")
        scores = np.zeros((len(dev_enc), len(CODES)), dtype=np.float32)
        with torch.inference_mode(), _top_only(stack, split, n_layers):
            for start in range(0, len(order), 64):
                index = order[start:start + 64]
                scores[index] = torch.sigmoid(forward(dev_enc, dev_cache, index)).numpy()
        return scores
    labels = torch.from_numpy(gold["train"])
    weights = pos_weights(gold["train"])
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.from_numpy(weights))
    decay = [p for n, p in trainable if p.ndim > 1]
    no_decay = [p for n, p in trainable if p.ndim <= 1]
    optimiser = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=learning_rate)
    per_epoch = math.ceil(len(train_enc) / batch_size)
    if limit_batches:
        per_epoch = min(per_epoch, limit_batches)
    total = per_epoch * epochs
    warmup = max(1, int(0.1 * total))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / (total - warmup
                                                                                    or 1))))
    lengths = train_enc.lengths
    say(f"training on {len(train_enc)} units ({len(rows['dev'])} dev, {len(rows['test'])} test), "
        f"{per_epoch} batches x {epochs} epochs, {n_trainable:,} trainable parameters, "
        f"{torch.get_num_threads()} threads")

    best = {"f1": -1.0, "epoch": 0, "state": None, "thresholds": None}
    history = []
    for epoch in range(1, epochs + 1):
        network.train()
        started = time.perf_counter()
        rng = np.random.default_rng(seed + epoch)
        running = 0.0
        batches = _batches(lengths, batch_size, rng)[:per_epoch]
        with _top_only(stack, split, n_layers):
            for step, index in enumerate(batches, start=1):
                logits = forward(train_enc, train_cache, index)
                loss = loss_fn(logits, labels[index])
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_([p for _, p in trainable], 1.0)
                optimiser.step()
                scheduler.step()
                running += loss.item()
                if step % 50 == 0:
                    say(f"epoch {epoch} batch {step}/{len(batches)} loss {running / step:.4f} "
                        f"({time.perf_counter() - started:.0f} s)")
        seconds = time.perf_counter() - started
        dev_scores = score_dev()
        thresholds = np.array([tune_threshold(gold["dev"][:, j], dev_scores[:, j])
                               for j in range(len(CODES))])
        table = prf_table(gold["dev"], dev_scores >= thresholds, CODES)
        dev_f1 = float(table.set_index("code").loc["macro", "f1"])
        history.append({"epoch": epoch, "train_loss": round(running / max(1, len(batches)), 5),
                        "dev_macro_f1": round(dev_f1, 4), "seconds": round(seconds, 1)})
        say(f"epoch {epoch}: loss {running / max(1, len(batches)):.4f}, dev macro-F1 "
            f"{dev_f1:.3f} ({seconds:.0f} s)")
        if dev_f1 > best["f1"]:
            best = {"f1": dev_f1, "epoch": epoch, "thresholds": thresholds,
                    "state": {n: p.detach().clone() for n, p in trainable}}

    with torch.no_grad():
        params = dict(network.named_parameters())
        for name, value in best["state"].items():
            params[name].copy_(value)
    network.eval()
    thresholds = best["thresholds"]
    dev_scores = predict_scores(network, tokenizer, splits["dev"], rows["dev"], max_length,
                                context_units)
    metrics = {"selection": "per-code thresholds and epoch chosen by dev macro-F1",
               "best_epoch": best["epoch"], "history": history,
               "dev": {"model": table_to_dict(prf_table(gold["dev"], dev_scores >= thresholds,
                                                        CODES))}}
    test_scores = None
    if len(rows["test"]):
        test_scores = predict_scores(network, tokenizer, splits["test"], rows["test"], max_length,
                                     context_units)
        metrics["test"] = {"model": table_to_dict(prf_table(gold["test"],
                                                            test_scores >= thresholds, CODES))}

    config = {
        "format_version": FORMAT_VERSION,
        "ta_nlp_version": __version__,
        "model_type": "ta-nlp-unit-classifier",
        "codes": list(CODES),
        "base": resolved.to_config(),
        "hidden_size": hidden_size,
        "max_length": max_length,
        "context_units": context_units,
        "input": "text pair: preceding context units (role-prefixed) + clinician unit",
        "train_layers": top,
        "lora": ({"r": lora_r, "alpha": lora_alpha, "dropout": lora_dropout,
                  "targets": sorted(encoder.peft_config["default"].target_modules)}
                 if lora else None),
        "head": {"hidden": head_hidden, "dropout": head_dropout,
                 "pooling": pooling, "pooled": list(POOLINGS[pooling])},
        "training": {
            "data": str(data), "splits_file": str(splits_file) if splits_file else None,
            "seed": seed, "epochs": epochs, "best_epoch": best["epoch"],
            "batch_size": batch_size, "learning_rate": learning_rate,
            "weight_decay": weight_decay, "warmup_fraction": 0.1, "limit_batches": limit_batches,
            "pos_weight": {c: round(float(w), 4) for c, w in zip(CODES, weights)},
            "n_units": {s: len(rows[s]) for s in SPLITS},
            "n_transcripts": {s: int(splits[s]["transcript_id"].nunique()) for s in SPLITS},
            "units_by_source": {s: {str(k): int(v) for k, v in splits[s].iloc[rows[s]]
                                    .groupby("source").size().items()} for s in SPLITS},
            "positives_train": {c: int(v) for c, v in zip(CODES, gold["train"].sum(axis=0))},
            "trainable_parameters": int(n_trainable),
            "epoch_seconds": [h["seconds"] for h in history],
            "batches_per_epoch": per_epoch,
            "cache_seconds": round(cache_seconds, 1),
            "num_threads": torch.get_num_threads(),
            "versions": _versions(),
        },
    }

    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        if lora:
            with quiet_transformers():
                # Embeddings are never adapted; saying so stops PEFT from looking the base id up
                # on the Hub (we run offline and the id is ours, not a Hub id).
                encoder.save_pretrained(str(tmp), save_embedding_layers=False)
        else:
            save_file({k: v.contiguous() for k, v in encoder.state_dict().items()},
                      str(tmp / ENCODER_WEIGHTS_NAME))
        save_file({k: v.contiguous() for k, v in head.state_dict().items()},
                  str(tmp / HEAD_WEIGHTS_NAME))
        tokenizer.save_pretrained(str(tmp / TOKENIZER_DIR))
        atomic_write_json(tmp / CONFIG_NAME, config)
        atomic_write_json(tmp / LABELS_NAME, list(CODES))
        atomic_write_json(tmp / THRESHOLDS_NAME,
                          {c: round(float(t), 2) for c, t in zip(CODES, thresholds)})
        atomic_write_json(tmp / METRICS_NAME, metrics)
        _install(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

    from ta_nlp.classifier.card import write_card
    from ta_nlp.classifier.ensemble import rules_available, tune_ensemble

    if tune_with_rules and rules_available():
        say("tuning the ensemble with the rule coder on dev")
        tune_ensemble(out, splits=splits, model_scores={"dev": dev_scores, "test": test_scores})
    else:
        write_card(out)
    say(f"saved {out}")
    return out


def _versions() -> dict:
    import peft
    import torch
    import transformers

    return {"torch": torch.__version__, "transformers": transformers.__version__,
            "peft": peft.__version__}
