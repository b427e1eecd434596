"""Fixed file names of a saved model folder, and where the shipped default model lives.

A saved model (``models/<name>/``) is a folder with exactly these files::

    config.json                 base id + sha256, max_length, context settings, training args, version
    adapter_model.safetensors   LoRA weights of the encoder (PEFT)   } or encoder.safetensors when
    adapter_config.json         LoRA configuration (PEFT)            } trained with lora=False
    head.safetensors            the classification head
    tokenizer/                  the tokenizer (``tokenizer.save_pretrained``)
    labels.json                 the code list, in output order
    thresholds.json             per-code decision thresholds tuned on the dev split
    metrics.json                dev and test metrics (and rules/ensemble when the rules were there)
    ensemble.json               per-code ensemble parameters (written when the rules were there)
    README.md                   the model card
"""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_NAME = "config.json"
ADAPTER_WEIGHTS_NAME = "adapter_model.safetensors"
ADAPTER_CONFIG_NAME = "adapter_config.json"
ENCODER_WEIGHTS_NAME = "encoder.safetensors"
HEAD_WEIGHTS_NAME = "head.safetensors"
LABELS_NAME = "labels.json"
THRESHOLDS_NAME = "thresholds.json"
METRICS_NAME = "metrics.json"
ENSEMBLE_NAME = "ensemble.json"
CARD_NAME = "README.md"
TOKENIZER_DIR = "tokenizer"

#: Bumped when the folder layout or the config keys change incompatibly.
FORMAT_VERSION = 1

#: Files every saved model must have (besides the weights of the encoder).
REQUIRED_FILES: tuple[str, ...] = (CONFIG_NAME, HEAD_WEIGHTS_NAME, LABELS_NAME, THRESHOLDS_NAME)

#: Name of the shipped model folder under ``models/``.
DEFAULT_MODEL_NAME = "default"


def default_model_dir() -> Path:
    """The shipped model: ``$TA_NLP_MODEL`` if set, else ``models/default`` of the ta-nlp checkout.

    The issue puts shipped models at the repository root (``models/``, committed to git), outside
    the importable package, so package resources cannot reach them. We look next to the source
    tree (``src/ta_nlp`` -> repository root) and then in the current directory; a wheel install
    sets ``TA_NLP_MODEL`` or passes a path.
    """
    env = os.environ.get("TA_NLP_MODEL")
    if env:
        return Path(env)
    import ta_nlp

    package = Path(ta_nlp.__file__).resolve().parent
    candidates = [package.parent.parent / "models" / DEFAULT_MODEL_NAME,
                  Path.cwd() / "models" / DEFAULT_MODEL_NAME]
    for candidate in candidates:
        if (candidate / CONFIG_NAME).is_file():
            return candidate
    return candidates[0]
