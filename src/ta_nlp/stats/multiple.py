"""Adjusting p-values for multiple comparisons.

Always name the method. (statsmodels' ``multipletests`` defaults to Holm-Sidak, R's ``p.adjust``
to Holm; this function also defaults to Holm but says so in every table it feeds.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ta_nlp.stats._util import as_float_array, bad_argument, check_choice

#: Methods :func:`adjust_p` accepts.
ADJUST_METHODS: tuple[str, ...] = ("holm", "fdr_bh", "bonferroni")


def adjust_p(p_values: Any, method: str = "holm") -> np.ndarray:
    """Adjusted p-values, in the input order.

    ``method``: ``"holm"`` (Holm 1979 step-down, controls the family-wise error rate),
    ``"fdr_bh"`` (Benjamini & Hochberg 1995 step-up, controls the false discovery rate) or
    ``"bonferroni"``. Missing values (NaN) stay NaN and do not count towards the number of tests,
    as in R's ``p.adjust``. Adjusted values are capped at 1.
    """
    check_choice("method", method, ADJUST_METHODS)
    p = as_float_array(p_values, "p_values")
    out = np.full(p.shape, np.nan)
    keep = np.isfinite(p)
    if np.any((p[keep] < 0) | (p[keep] > 1)):
        raise bad_argument("adjust_p: p-values must lie between 0 and 1.")
    values = p[keep]
    m = values.size
    if m == 0:
        return out
    if method == "bonferroni":
        adjusted = np.minimum(values * m, 1.0)
    else:
        order = np.argsort(values, kind="mergesort")
        ranked = values[order]
        i = np.arange(1, m + 1)
        if method == "holm":
            steps = np.maximum.accumulate((m - i + 1) * ranked)
        else:  # fdr_bh
            steps = np.minimum.accumulate((m / i * ranked)[::-1])[::-1]
        adjusted = np.empty(m)
        adjusted[order] = np.minimum(steps, 1.0)
    out[keep] = adjusted
    return out
