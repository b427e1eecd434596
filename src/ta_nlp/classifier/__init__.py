"""The fine-tuned transformer coder: train, save, load, and code with a model or an ensemble.

- :func:`train` (``ta-nlp train``): fine-tune on the annotated corpus, save a model folder;
- :func:`load_model`: load a saved folder (None: the shipped ``models/default``);
- :class:`ModelCoder`, :class:`EnsembleCoder`: ``code_frame(df)`` like the rule coder;
- :func:`tune_ensemble`: tune the rules + model combination on dev and compare on test;
- :func:`resolve_base`: find and verify the base encoder weights.

Heavy dependencies (torch, transformers, peft) load on first use; when they are missing the
library raises E305 with the install command. File names of a model folder: :mod:`.files`.
"""

from __future__ import annotations

import importlib
import importlib.util

from ta_nlp.classifier.files import (  # noqa: F401
    ADAPTER_CONFIG_NAME,
    ADAPTER_WEIGHTS_NAME,
    CARD_NAME,
    CONFIG_NAME,
    ENCODER_WEIGHTS_NAME,
    ENSEMBLE_NAME,
    HEAD_WEIGHTS_NAME,
    LABELS_NAME,
    METRICS_NAME,
    THRESHOLDS_NAME,
    TOKENIZER_DIR,
    default_model_dir,
)
from ta_nlp.errors import CoderError

_LAZY = {
    "train": "ta_nlp.classifier.training",
    "load_model": "ta_nlp.classifier.inference",
    "TrainedModel": "ta_nlp.classifier.inference",
    "ModelCoder": "ta_nlp.classifier.coders",
    "EnsembleCoder": "ta_nlp.classifier.coders",
    "tune_ensemble": "ta_nlp.classifier.ensemble",
    "resolve_base": "ta_nlp.classifier.base",
}
_DEPENDENCIES = {"torch": "torch==2.13.0", "transformers": "transformers", "peft": "peft",
                 "safetensors": "safetensors"}


def require_dependencies() -> None:
    """Raise E305 naming the missing optional dependencies of the transformer coder."""
    missing = [pip for module, pip in _DEPENDENCIES.items()
               if importlib.util.find_spec(module) is None]
    if missing:
        raise CoderError.make("E305", missing=", ".join(missing))


def __getattr__(name: str):
    if name in _LAZY:
        if name != "resolve_base":
            require_dependencies()
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ta_nlp.classifier' has no attribute {name!r}")


__all__ = ["EnsembleCoder", "ModelCoder", "TrainedModel", "default_model_dir", "load_model",
           "require_dependencies", "resolve_base", "train", "tune_ensemble"]
