"""ta-nlp: automatic coding of clinician behaviours linked to therapeutic alliance.

Read transcripts (``ta_nlp.read``), segment them into turns with roles and timing
(``ta_nlp.segment``), code the behaviours of the codebook (``ta_nlp.code``), evaluate against human
coders (``ta_nlp.evaluate``) and correlate with alliance and outcomes (``ta_nlp.stats``).
Heavy parts (spaCy, torch) are imported only when used.
"""

from __future__ import annotations

__version__ = "0.1.0"

from ta_nlp.codes import CODES, ROLES  # noqa: E402
from ta_nlp.errors import TaNlpError  # noqa: E402
from ta_nlp.model import Transcript, Utterance  # noqa: E402

__all__ = ["CODES", "ROLES", "TaNlpError", "Transcript", "Utterance", "__version__"]

# Public functions, imported on first use so that `import ta_nlp` stays light.
_LAZY = {
    "read": ("ta_nlp.readers", "read"),
    "segment": ("ta_nlp.segment", "segment"),
    "code": ("ta_nlp.coding", "code"),
    "train": ("ta_nlp.classifier", "train"),
    "evaluate": ("ta_nlp.evaluation", "evaluate"),
    "agreement": ("ta_nlp.evaluation", "agreement"),
    "simulate": ("ta_nlp.simulate", "simulate"),
    "analyze": ("ta_nlp.analysis", "analyze"),
    "run": ("ta_nlp.pipeline", "run"),
}


def __getattr__(name: str):
    if name == "stats":
        import importlib
        return importlib.import_module("ta_nlp.stats")
    if name in _LAZY:
        import importlib
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'ta_nlp' has no attribute {name!r}")
