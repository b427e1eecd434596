"""Precision, recall and F1 per code with numpy, and per-code threshold tuning.

Conventions (as in scikit-learn's ``zero_division=0``): precision is 0 when nothing is predicted,
recall is 0 when there is no positive, F1 is 0 when precision + recall is 0. ``macro`` is the mean
of the per-code F1 over codes with at least one gold positive in the evaluated data (a code absent
from the gold cannot be scored and would otherwise count as 0); ``micro`` pools the counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Columns of :func:`prf_table`, in order (rows: codes, then ``micro``, ``macro``).
METRIC_COLUMNS: tuple[str, ...] = (
    "code", "support", "n_pred", "tp", "fp", "fn", "precision", "recall", "f1",
)
#: Candidate thresholds for tuning.
THRESHOLD_GRID = np.round(np.arange(0.02, 0.99, 0.01), 2)


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def prf_table(gold: np.ndarray, pred: np.ndarray, codes: Sequence[str]) -> pd.DataFrame:
    """Per-code and averaged P/R/F1 for 0/1 arrays of shape (n_units, n_codes)."""
    gold = np.asarray(gold, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    rows = []
    for j, code in enumerate(codes):
        tp = int(np.sum(gold[:, j] & pred[:, j]))
        fp = int(np.sum(~gold[:, j] & pred[:, j]))
        fn = int(np.sum(gold[:, j] & ~pred[:, j]))
        rows.append((code, tp + fn, tp + fp, tp, fp, fn, *_prf(tp, fp, fn)))
    frame = pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
    tp, fp, fn = frame["tp"].sum(), frame["fp"].sum(), frame["fn"].sum()
    micro = ("micro", int(tp + fn), int(tp + fp), int(tp), int(fp), int(fn), *_prf(tp, fp, fn))
    scored = frame[frame["support"] > 0]
    macro = ("macro", int(frame["support"].sum()), int(frame["n_pred"].sum()), int(tp), int(fp),
             int(fn), float(scored["precision"].mean()) if len(scored) else float("nan"),
             float(scored["recall"].mean()) if len(scored) else float("nan"),
             float(scored["f1"].mean()) if len(scored) else float("nan"))
    return pd.concat([frame, pd.DataFrame([micro, macro], columns=list(METRIC_COLUMNS))],
                     ignore_index=True)


def macro_f1(gold: np.ndarray, pred: np.ndarray, codes: Sequence[str]) -> float:
    return float(prf_table(gold, pred, codes).set_index("code").loc["macro", "f1"])


def f1_at(gold: np.ndarray, positive: np.ndarray) -> float:
    gold = np.asarray(gold, dtype=bool)
    positive = np.asarray(positive, dtype=bool)
    tp = float(np.sum(gold & positive))
    return _prf(tp, float(np.sum(~gold & positive)), float(np.sum(gold & ~positive)))[2]


def tune_threshold(gold: np.ndarray, scores: np.ndarray, default: float = 0.5) -> float:
    """The threshold of :data:`THRESHOLD_GRID` with the highest F1 (ties: closest to
    ``default``); ``default`` when there is no gold positive."""
    gold = np.asarray(gold, dtype=bool)
    if not gold.any():
        return default
    f1 = np.array([f1_at(gold, scores >= t) for t in THRESHOLD_GRID])
    best = np.flatnonzero(f1 >= f1.max() - 1e-12)
    return float(THRESHOLD_GRID[best[np.argmin(np.abs(THRESHOLD_GRID[best] - default))]])


def table_to_dict(frame: pd.DataFrame) -> dict:
    """``{code: {support, n_pred, tp, fp, fn, precision, recall, f1}}`` for JSON."""
    out = {}
    for row in frame.itertuples(index=False):
        values = row._asdict()
        code = values.pop("code")
        out[code] = {k: (round(float(v), 4) if isinstance(v, float) else int(v))
                     for k, v in values.items()}
    return out
