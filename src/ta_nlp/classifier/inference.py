"""Load a saved model folder and score clinician units (fast CPU inference).

Inference is batched under ``torch.inference_mode`` with units sorted by length (so a batch pads
little); LoRA adapters are merged into the encoder weights at load, and ``quantize=True`` applies
dynamic int8 quantization to the Linear layers (``torch.ao.quantization.quantize_dynamic``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ta_nlp.classifier.base import resolve_base
from ta_nlp.classifier.encoding import collate, encode_pairs, unit_context
from ta_nlp.classifier.files import (
    ADAPTER_CONFIG_NAME,
    ADAPTER_WEIGHTS_NAME,
    CONFIG_NAME,
    ENCODER_WEIGHTS_NAME,
    ENSEMBLE_NAME,
    FORMAT_VERSION,
    HEAD_WEIGHTS_NAME,
    LABELS_NAME,
    METRICS_NAME,
    REQUIRED_FILES,
    THRESHOLDS_NAME,
    TOKENIZER_DIR,
    default_model_dir,
)
from ta_nlp.codes import CODES
from ta_nlp.errors import CoderError
from ta_nlp.io import file_sha256

log = logging.getLogger(__name__)


@contextlib.contextmanager
def quiet_transformers():
    """Silence transformers' load reports (unused pooler weights and the like)."""
    import transformers

    previous = transformers.logging.get_verbosity()
    bars = transformers.utils.logging.is_progress_bar_enabled()
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    try:
        yield
    finally:
        transformers.logging.set_verbosity(previous)
        if bars:
            transformers.utils.logging.enable_progress_bar()


def _read_json(path: Path, folder: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CoderError.make("E303", path=folder, reason=f"{path.name} is unreadable ({exc})",
                              fix="Train the model again or restore the file.") from None


def build_encoder(base_path: Path):
    from transformers import AutoModel

    with quiet_transformers():
        return AutoModel.from_pretrained(str(base_path))


def load_tokenizer(folder: Path):
    from transformers import AutoTokenizer

    with quiet_transformers():
        return AutoTokenizer.from_pretrained(str(folder))


class TrainedModel:
    """A loaded model: ``config``, ``codes``, ``thresholds`` (array in code order), ``tokenizer``,
    ``network`` (eval mode), ``metrics`` and ``ensemble`` (dicts, may be empty)."""

    def __init__(self, path: Path, config: dict, codes: list[str], thresholds: np.ndarray,
                 tokenizer, network, metrics: dict, ensemble: dict, quantized: bool):
        self.path = path
        self.config = config
        self.codes = codes
        self.thresholds = thresholds
        self.tokenizer = tokenizer
        self.network = network
        self.metrics = metrics
        self.ensemble = ensemble
        self.quantized = quantized

    @property
    def files_sha256(self) -> str:
        """SHA-256 over the files that decide the outputs (weights, thresholds, ensemble)."""
        import hashlib

        digest = hashlib.sha256()
        for name in (CONFIG_NAME, ADAPTER_WEIGHTS_NAME, ENCODER_WEIGHTS_NAME, HEAD_WEIGHTS_NAME,
                     LABELS_NAME, THRESHOLDS_NAME, ENSEMBLE_NAME):
            path = self.path / name
            if path.is_file():
                digest.update(name.encode())
                digest.update(file_sha256(path).encode())
        return digest.hexdigest()

    @property
    def max_length(self) -> int:
        return int(self.config["max_length"])

    @property
    def context_units(self) -> int:
        return int(self.config["context_units"])

    def score_rows(self, frame: pd.DataFrame, rows: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """Probabilities, shape (len(rows), n_codes), for the units at positions ``rows``."""
        return predict_scores(self.network, self.tokenizer, frame, rows, self.max_length,
                              self.context_units, batch_size=batch_size)


def predict_scores(network, tokenizer, frame: pd.DataFrame, rows: Sequence[int],
                   max_length: int, context_units: int, batch_size: int = 64) -> np.ndarray:
    """Sigmoid scores for ``frame`` rows ``rows`` (sorted by length, batched, no grad)."""
    import torch

    rows = np.asarray(rows, dtype=np.int64)
    n_codes = network.head.out.out_features
    if len(rows) == 0:
        return np.zeros((0, n_codes), dtype=np.float32)
    units, contexts = unit_context(frame, rows, context_units)
    encoded = encode_pairs(tokenizer, units, contexts, max_length)
    order = np.argsort(encoded.lengths, kind="stable")
    scores = np.zeros((len(rows), n_codes), dtype=np.float32)
    was_training = network.training
    network.eval()
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            index = order[start:start + batch_size]
            ids, attention, types, unit = collate(encoded, index, tokenizer.pad_token_id or 0)
            logits = network(ids, attention, types, unit)
            scores[index] = torch.sigmoid(logits.float()).numpy()
    network.train(was_training)
    return scores


def load_model(path: str | Path | None = None, base: str | Path | None = None,
               quantize: bool = False) -> TrainedModel:
    """Load a saved model folder (None: the shipped ``models/default``).

    The base encoder named in ``config.json`` is resolved and its SHA-256 checked against the one
    the model was trained on (E304); ``base`` overrides where it is found (same hash required).
    """
    folder = Path(path) if path is not None else default_model_dir()
    if not folder.is_dir():
        raise CoderError.make("E303", path=folder, reason="the folder does not exist",
                              fix="Train one with `ta-nlp train --out FOLDER`, or pass --model.")
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise CoderError.make("E303", path=folder, reason=f"missing {', '.join(missing)}",
                              fix="Pass a folder written by `ta-nlp train`.")
    config = _read_json(folder / CONFIG_NAME, folder)
    if config.get("format_version") != FORMAT_VERSION:
        raise CoderError.make("E303", path=folder,
                              reason=f"format_version {config.get('format_version')!r}, this "
                                     f"ta-nlp reads {FORMAT_VERSION}",
                              fix="Retrain it with this version of ta-nlp.")
    codes = _read_json(folder / LABELS_NAME, folder)
    if list(codes) != list(CODES):
        raise CoderError.make("E303", path=folder, reason=f"labels.json lists {codes}",
                              fix=f"Retrain it: the codebook codes are {', '.join(CODES)}.")
    thresholds_map = _read_json(folder / THRESHOLDS_NAME, folder)
    thresholds = np.array([float(thresholds_map[c]) for c in codes], dtype=np.float32)
    metrics = _read_json(folder / METRICS_NAME, folder) if (folder / METRICS_NAME).is_file() else {}
    ensemble = (_read_json(folder / ENSEMBLE_NAME, folder)
                if (folder / ENSEMBLE_NAME).is_file() else {})

    import torch
    from safetensors.torch import load_file

    from ta_nlp.classifier.network import Head, UnitClassifier

    base_info = config["base"]
    resolved = resolve_base(base if base is not None else base_info["id"],
                            expected_sha256=base_info["sha256"])
    encoder = build_encoder(resolved.path)
    if config.get("lora"):
        for name in (ADAPTER_CONFIG_NAME, ADAPTER_WEIGHTS_NAME):
            if not (folder / name).is_file():
                raise CoderError.make("E303", path=folder, reason=f"missing {name}",
                                      fix="Pass a folder written by `ta-nlp train`.")
        from peft import PeftModel

        with quiet_transformers(), warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # peft on transformers 5 deprecations
            encoder = PeftModel.from_pretrained(encoder, str(folder)).merge_and_unload()
    else:
        if not (folder / ENCODER_WEIGHTS_NAME).is_file():
            raise CoderError.make("E303", path=folder, reason=f"missing {ENCODER_WEIGHTS_NAME}",
                                  fix="Pass a folder written by `ta-nlp train`.")
        encoder.load_state_dict(load_file(str(folder / ENCODER_WEIGHTS_NAME)), strict=False)
    head_cfg = config["head"]
    head = Head(int(config["hidden_size"]), len(codes), int(head_cfg["hidden"]),
                float(head_cfg["dropout"]), head_cfg.get("pooling", "mean"))
    head.load_state_dict(load_file(str(folder / HEAD_WEIGHTS_NAME)))
    network = UnitClassifier(encoder, head).eval()
    if quantize:
        from torch.ao.quantization import quantize_dynamic

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            network = quantize_dynamic(network, {torch.nn.Linear}, dtype=torch.qint8)
    tokenizer = load_tokenizer(folder / TOKENIZER_DIR)
    return TrainedModel(folder, config, list(codes), thresholds, tokenizer, network, metrics,
                        ensemble, quantize)
