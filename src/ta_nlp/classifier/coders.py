"""Coders over a trained model: :class:`ModelCoder` and :class:`EnsembleCoder`.

Both follow the rule coder's contract: ``code_frame(df)`` takes an utterances table (the columns
of :data:`ta_nlp.model.UTTERANCE_COLUMNS`, in document order within each transcript) and returns,
on the input's index, the ten code columns (0/1, in :data:`ta_nlp.codes.CODES` order) and
``evidence`` (a JSON string ``{code: [{"pattern", "start", "end", ...}]}`` for the positive codes).
Only clinician units are coded; other rows get zeros and ``{}``. A model positive's evidence span is the
whole unit: ``{"pattern": "model", "start": 0, "end": len(clean_text), "score": p}``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ta_nlp.classifier.ensemble import combine, default_rules, ensemble_thresholds, rules_identity
from ta_nlp.classifier.inference import TrainedModel, load_model
from ta_nlp.codes import CODES
from ta_nlp.corpus import clean_text
from ta_nlp.errors import CoderError

#: Extra columns :meth:`ModelCoder.score_frame` returns (one score column per code follows).
SCORE_PREFIX = "score_"


def _check(df: pd.DataFrame) -> None:
    missing = [c for c in ("transcript_id", "role") if c not in df.columns]
    if "text" not in df.columns and "clean_text" not in df.columns:
        missing.append("text")
    if missing:
        raise CoderError.make("E104", path="<utterances table>", missing=", ".join(missing),
                              found=", ".join(map(str, df.columns)),
                              fix="Pass the table written by `ta-nlp segment` (utterances.csv).")


def _clean(df: pd.DataFrame) -> list[str]:
    if "clean_text" in df.columns:
        values = df["clean_text"]
        if "text" in df.columns:
            values = values.where(values.notna(), df["text"].map(clean_text))
        return ["" if not isinstance(v, str) else v for v in values]
    return [clean_text(t) for t in df["text"]]


def _model_span(text: str, score: float) -> dict:
    return {"pattern": "model", "start": 0, "end": len(text), "score": round(float(score), 4)}


class ModelCoder:
    """Codes clinician units with a trained model (None: the shipped ``models/default``).

    ``quantize``: dynamic int8 quantization of the Linear layers (faster on CPU, scores differ a
    little). ``batch_size``: units per forward pass.
    """

    name = "model"

    def __init__(self, path: str | Path | None = None, quantize: bool = False,
                 batch_size: int = 64, model: TrainedModel | None = None):
        self.model = model if model is not None else load_model(path, quantize=quantize)
        self.batch_size = batch_size

    @property
    def config(self) -> dict:
        """What identifies this coder's output (JSON-able): the model files' hash, base, inputs,
        thresholds and quantization."""
        return {"model": str(self.model.path), "files_sha256": self.model.files_sha256,
                "base_sha256": self.model.config["base"]["sha256"],
                "codes": list(self.model.codes), "max_length": self.model.max_length,
                "context_units": self.model.context_units, "thresholds": self.thresholds,
                "quantize": self.model.quantized}

    @property
    def thresholds(self) -> dict[str, float]:
        return {c: float(t) for c, t in zip(CODES, self.model.thresholds)}

    def scores(self, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(positions of the clinician rows, their scores of shape (n, 10))."""
        _check(df)
        frame = df.reset_index(drop=True)
        rows = np.flatnonzero((frame["role"] == "clinician").to_numpy())
        return rows, self.model.score_rows(frame, rows, batch_size=self.batch_size)

    def score_frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """``transcript_id, utterance_id`` and one ``score_<code>`` column per code (NaN on
        non-clinician rows)."""
        rows, scores = self.scores(df)
        out = df[[c for c in ("transcript_id", "utterance_id") if c in df.columns]].copy()
        full = np.full((len(df), len(CODES)), np.nan, dtype=np.float64)
        full[rows] = scores
        for j, code in enumerate(CODES):
            out[SCORE_PREFIX + code] = full[:, j]
        return out

    def _frame(self, df: pd.DataFrame, rows: np.ndarray, positive: np.ndarray,
               evidence_for) -> pd.DataFrame:
        codes = np.zeros((len(df), len(CODES)), dtype=np.int64)
        codes[rows] = positive.astype(np.int64)
        out = pd.DataFrame(codes, columns=list(CODES), index=df.index)
        evidence = ["{}"] * len(df)
        texts = _clean(df)
        for k, i in enumerate(rows):
            found = {code: evidence_for(k, j, texts[i])
                     for j, code in enumerate(CODES) if positive[k, j]}
            evidence[i] = json.dumps(found, ensure_ascii=False)
        out["evidence"] = evidence
        return out

    def code_frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """The ten code columns and ``evidence`` on ``df``'s index (see the module doc)."""
        rows, scores = self.scores(df)
        positive = scores >= self.model.thresholds
        return self._frame(df, rows, positive,
                           lambda k, j, text: [_model_span(text, scores[k, j])])


class EnsembleCoder(ModelCoder):
    """Rules and model combined as documented in :mod:`ta_nlp.classifier.ensemble`.

    ``rules``: any coder with ``code_frame`` (default :class:`ta_nlp.rules.RuleCoder`). The
    per-code parameters come from the model folder's ``ensemble.json``.
    """

    name = "ensemble"

    def __init__(self, path: str | Path | None = None, rules=None, quantize: bool = False,
                 batch_size: int = 64, model: TrainedModel | None = None):
        super().__init__(path, quantize=quantize, batch_size=batch_size, model=model)
        if not self.model.ensemble:
            raise CoderError.make(
                "E303", path=self.model.path, reason="it has no ensemble.json",
                fix="Tune it with ta_nlp.classifier.tune_ensemble(MODEL) (needs ta_nlp.rules), "
                    "or use --coder model.")
        self.model_thresholds, self.rule_thresholds = ensemble_thresholds(self.model.ensemble)
        self.rules = rules if rules is not None else default_rules()
        tuned = self.model.ensemble.get("rules", {}).get("config_sha256")
        if tuned and tuned != rules_identity(self.rules)["config_sha256"]:
            warnings.warn(f"The ensemble in {self.model.path} was tuned with another version of "
                          "the rule coder; its thresholds may no longer be the best. Re-tune with "
                          "ta_nlp.classifier.tune_ensemble(MODEL).", stacklevel=2)

    @property
    def config(self) -> dict:
        rules_config = getattr(self.rules, "config", {})
        return {**super().config, "ensemble": self.model.ensemble["codes"],
                "rules": {"name": getattr(self.rules, "name", "rules"),
                          "config": rules_config() if callable(rules_config) else rules_config}}

    def code_frame(self, df: pd.DataFrame) -> pd.DataFrame:
        rows, scores = self.scores(df)
        ruled = self.rules.code_frame(df.reset_index(drop=True)).reset_index(drop=True)
        fired = ruled[list(CODES)].to_numpy(dtype=bool)[rows]
        rule_evidence = [json.loads(e) if isinstance(e, str) and e else {}
                         for e in ruled["evidence"].to_numpy()[rows]]
        positive = combine(scores, fired, self.model_thresholds, self.rule_thresholds)

        def evidence_for(k, j, text):
            code = CODES[j]
            if fired[k, j] and rule_evidence[k].get(code):
                return rule_evidence[k][code]
            return [_model_span(text, scores[k, j])]

        return self._frame(df, rows, positive, evidence_for)
