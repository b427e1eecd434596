"""The ensemble of the rule coder and the model, and how it is tuned.

Decision for code *c* of a clinician unit with model score *p* and rule outcome *r*::

    positive  if  p >= m_c                      (the model is confident on its own)
              or  r and p >= l_c                (a rule fired and the model does not object)

Both thresholds are tuned per code on the dev split, jointly, to maximise that code's F1 (so the
macro-F1 over codes): ``m_c`` (``model_threshold``) over ``{0, 0.02, ..., 1, never}`` and ``l_c``
(``rule_threshold``) over ``{0, 0.02, ..., m_c, unused}``. The special values cover the pure
cases: ``m_c`` = the model's own threshold with ``l_c`` unused is the model alone; ``m_c`` = never
with ``l_c`` = 0 is the rules alone; in between, rules that fire are accepted unless the model is
confident they are wrong, and the model alone must be more confident than usual. The search starts
from the model alone and moves only for a dev F1 gain of at least :data:`MIN_GAIN`, so noise on a
small dev split does not switch the rules on. In ``ensemble.json`` "never" and "unused" are null.
Evidence: the rules' spans when a rule fired for the code, else the model span.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ta_nlp.classifier.files import ENSEMBLE_NAME, METRICS_NAME
from ta_nlp.classifier.metrics import f1_at, prf_table, table_to_dict
from ta_nlp.codes import CODES
from ta_nlp.corpus import labelled_mask, load_splits
from ta_nlp.io import atomic_write_json

#: Smallest dev F1 gain for which a code departs from the model alone.
MIN_GAIN = 0.005
#: Threshold grid of the search (both thresholds).
GRID = np.round(np.arange(0.0, 1.0 + 1e-9, 0.02), 2)

DESCRIPTION = ("positive if model score >= model_threshold (null: never on its own), or if a rule "
               "fired and model score >= rule_threshold (null: rules unused for this code); both "
               "tuned per code on dev")


def rules_available() -> bool:
    """True when :class:`ta_nlp.rules.RuleCoder` can be imported."""
    if importlib.util.find_spec("ta_nlp.rules") is None:
        return False
    try:
        from ta_nlp.rules import RuleCoder  # noqa: F401
    except ImportError:
        return False
    return True


def default_rules():
    from ta_nlp.rules import RuleCoder

    return RuleCoder()


def rules_identity(rules) -> dict:
    """Which rule coder the ensemble was tuned with (its config hash changes with its output)."""
    import hashlib

    config = getattr(rules, "config", {})
    config = config() if callable(config) else config
    blob = json.dumps(config, sort_keys=True, default=str).encode()
    return {"coder": f"{type(rules).__module__}.{type(rules).__name__}",
            "name": getattr(rules, "name", "rules"),
            "version": config.get("version") if isinstance(config, dict) else None,
            "config_sha256": hashlib.sha256(blob).hexdigest()}


def combine(scores: np.ndarray, fired: np.ndarray, model_thresholds: np.ndarray,
            rule_thresholds: np.ndarray) -> np.ndarray:
    """Ensemble decisions (bool, shape of ``scores``); a NaN threshold means never / unused."""
    alone = np.where(np.isnan(model_thresholds), np.inf, model_thresholds)
    lower = np.where(np.isnan(rule_thresholds), np.inf, rule_thresholds)
    return (scores >= alone) | (fired.astype(bool) & (scores >= lower))


def tune_thresholds(gold: np.ndarray, scores: np.ndarray, fired: np.ndarray,
                    model_thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-code ``(model_threshold, rule_threshold)`` arrays (NaN = never / unused) maximising
    dev F1 as described in the module doc."""
    n = gold.shape[1]
    alone_t = np.asarray(model_thresholds, dtype=float).copy()
    rule_t = np.full(n, np.nan)
    for j in range(n):
        g, s, r = gold[:, j].astype(bool), scores[:, j], fired[:, j].astype(bool)
        if not g.any():
            continue
        start = f1_at(g, s >= alone_t[j])
        best = (start, alone_t[j], np.nan)
        for m in [*GRID, np.nan]:
            model_pos = s >= (np.inf if np.isnan(m) else m)
            f1 = f1_at(g, model_pos)
            if f1 > best[0] + 1e-12:
                best = (f1, m, np.nan)
            if not r.any():
                continue
            for lower in GRID[GRID <= (1.0 if np.isnan(m) else m)]:
                f1 = f1_at(g, model_pos | (r & (s >= lower)))
                if f1 > best[0] + 1e-12:
                    best = (f1, m, lower)
        if best[0] >= start + MIN_GAIN:
            alone_t[j], rule_t[j] = best[1], best[2]
    return alone_t, rule_t


def rule_outputs(rules, frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """The rule coder's codes and evidence for ``frame`` rows ``rows`` (positions)."""
    coded = rules.code_frame(frame.reset_index(drop=True))
    return coded.iloc[rows].reset_index(drop=True)


def tune_ensemble(model_dir: str | Path, data: str | Path = "data/annotated",
                  splits: dict[str, pd.DataFrame] | None = None,
                  model_scores: dict[str, np.ndarray | None] | None = None,
                  rules=None, splits_file: str | Path | None = None) -> dict:
    """Tune the ensemble on dev, score rules, model and ensemble on dev and test, and update the
    model folder (``ensemble.json``, ``metrics.json``, ``README.md``). Returns ``ensemble.json``."""
    from ta_nlp.classifier.card import write_card
    from ta_nlp.classifier.inference import load_model

    model_dir = Path(model_dir)
    model = load_model(model_dir)
    if splits is None:
        splits = load_splits(data, splits_file=splits_file)
    rules = rules if rules is not None else default_rules()
    model_scores = dict(model_scores or {})
    thresholds = model.thresholds.astype(float)
    results: dict[str, dict] = {}
    for name in ("dev", "test"):
        frame = splits[name].reset_index(drop=True)
        rows = np.flatnonzero(labelled_mask(frame).to_numpy())
        if len(rows) == 0:
            continue
        gold = frame.iloc[rows][list(CODES)].to_numpy(dtype=bool)
        scores = model_scores.get(name)
        if scores is None:
            scores = model.score_rows(frame, rows)
        fired = rule_outputs(rules, frame, rows)[list(CODES)].to_numpy(dtype=bool)
        results[name] = {"gold": gold, "scores": scores, "fired": fired}
    dev = results["dev"]
    alone_thresholds, rule_thresholds = tune_thresholds(dev["gold"], dev["scores"], dev["fired"],
                                                        thresholds)
    ensemble = {
        "method": DESCRIPTION,
        "rules": rules_identity(rules),
        "min_gain": MIN_GAIN,
        "codes": {c: {"model_threshold": None if np.isnan(t) else round(float(t), 2),
                      "rule_threshold": None if np.isnan(r) else round(float(r), 2)}
                  for c, t, r in zip(CODES, alone_thresholds, rule_thresholds)},
    }
    metrics = json.loads((model_dir / METRICS_NAME).read_text(encoding="utf-8"))
    summary = {}
    for name, res in results.items():
        tables = {
            "rules": prf_table(res["gold"], res["fired"], CODES),
            "model": prf_table(res["gold"], res["scores"] >= thresholds, CODES),
            "ensemble": prf_table(res["gold"], combine(res["scores"], res["fired"],
                                                       alone_thresholds, rule_thresholds), CODES),
        }
        metrics[name] = {k: table_to_dict(v) for k, v in tables.items()}
        summary[name] = {k: round(float(v.set_index("code").loc["macro", "f1"]), 4)
                         for k, v in tables.items()}
    metrics["macro_f1"] = summary
    if "test" in summary:
        ranked = sorted(summary["test"].items(), key=lambda kv: (-kv[1], ["ensemble", "model",
                                                                          "rules"].index(kv[0])))
        metrics["most_accurate_coder_on_test"] = ranked[0][0]
    atomic_write_json(model_dir / ENSEMBLE_NAME, ensemble)
    atomic_write_json(model_dir / METRICS_NAME, metrics)
    write_card(model_dir)
    return ensemble


def ensemble_thresholds(config: dict, codes=CODES) -> tuple[np.ndarray, np.ndarray]:
    """(model thresholds, rule thresholds; NaN = never / unused) from ``ensemble.json``."""
    model_t = np.array([np.nan if config["codes"][c]["model_threshold"] is None
                        else float(config["codes"][c]["model_threshold"]) for c in codes])
    rule_t = np.array([np.nan if config["codes"][c]["rule_threshold"] is None
                       else float(config["codes"][c]["rule_threshold"]) for c in codes])
    return model_t, rule_t

