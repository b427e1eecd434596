"""Spearman correlation with exact, t and permutation p-values and three kinds of interval.

Conventions (read these before comparing with other software):

- ``rho`` is Spearman's coefficient: Pearson's r of the average ranks (ties get mid-ranks), on the
  complete pairs only (a pair with a missing value is dropped; ``n`` counts the pairs used).
- p-values (``p_method``):

  - ``"t"``: Student's t with n - 2 degrees of freedom, t = rho * sqrt((n - 2) / (1 - rho^2)). This
    is what :func:`scipy.stats.spearmanr` reports; it is poor for small n.
  - ``"exact"``: the permutation distribution of S = sum of squared rank differences. For
    n <= :data:`EXACT_MAX_N` (9) every one of the n! permutations is enumerated, so the p is exact
    (R's ``cor.test(method = "spearman")`` does the same). Above 9 the exact distribution is
    approximated by the Edgeworth series of algorithm AS 89 (Best & Roberts 1975, Applied
    Statistics 24:377-379), again as R does for 9 < n < 1290; the result then says
    ``p_method = "edgeworth"``. Ties make the permutation distribution of S differ from the
    untied one, so ``"exact"`` with tied data is an error (use ``"permutation"``).
  - ``"permutation"``: :func:`scipy.stats.permutation_test` with ``permutation_type="pairings"``
    (seeded; SciPy enumerates all n! pairings itself when that is no more than ``n_resamples``).
    Valid with ties.
  - ``"auto"``: ``"exact"`` when n <= 9 and neither variable is tied, otherwise ``"t"``.

  Two-sided p is twice the smaller one-sided p, capped at 1 (as R and SciPy do).
  ``alternative="greater"`` tests a positive association, ``"less"`` a negative one.
- Intervals (``ci_method``), at level ``confidence``:

  - ``"fisher"``: tanh(atanh(rho) +- z * SE) with the plain Fisher SE 1 / sqrt(n - 3), which
    pingouin reports for Spearman;
  - ``"bonett-wright"`` (default): the same with SE = sqrt((1 + rho^2 / 2) / (n - 3)), which Bonett
    & Wright (2000, Psychometrika 65:23-28) showed keeps close to nominal coverage for Spearman's rho;
  - ``"bootstrap"``: the BCa interval of :func:`scipy.stats.bootstrap` over resampled pairs
    (ranks recomputed in each resample), seeded by ``seed``.

  One-sided alternatives give one-sided intervals ([low, 1] for ``"greater"``, [-1, high] for
  ``"less"``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from functools import cache
from itertools import permutations
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ta_nlp.stats._util import (
    as_float_array,
    bad_argument,
    check_choice,
    check_confidence,
    require_columns,
    rng_kwargs,
)

#: Columns of the one-row table :func:`spearman` returns, in order.
SPEARMAN_COLUMNS: tuple[str, ...] = ("n", "rho", "ci_low", "ci_high", "p_val", "ci_method",
                                     "p_method")
#: Columns of :func:`partial_spearman`, in order.
PARTIAL_COLUMNS: tuple[str, ...] = ("n", "n_covar", "covar", "rho", "ci_low", "ci_high", "p_val",
                                    "ci_method", "p_method")
#: Columns of the long table :func:`correlation_matrix` returns, in order.
CORRELATION_COLUMNS: tuple[str, ...] = ("feature", "measure", "timepoint", "n", "rho", "ci_low",
                                        "ci_high", "p_val", "p_adj", "p_adjust", "ci_method",
                                        "p_method")

ALTERNATIVES: tuple[str, ...] = ("two-sided", "less", "greater")
CI_METHODS: tuple[str, ...] = ("fisher", "bonett-wright", "bootstrap")
P_METHODS: tuple[str, ...] = ("t", "exact", "permutation", "auto")
#: Largest n for which the exact null distribution of S is enumerated (n! = 362,880 at 9).
EXACT_MAX_N = 9

# Edgeworth-series coefficients of algorithm AS 89 (Best & Roberts 1975, Table 1 of the algorithm).
_AS89 = (0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932, 0.0879, 0.0151, 0.0072, 0.0831, 0.0131,
         4.6e-4)


# --------------------------------------------------------------------------- building blocks

def _complete_pairs(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    xa = as_float_array(x, "x")
    ya = as_float_array(y, "y")
    if xa.shape != ya.shape:
        raise bad_argument(f"x and y must have the same length; found {xa.size} and {ya.size}.")
    keep = np.isfinite(xa) & np.isfinite(ya)
    return xa[keep], ya[keep]


def _rho_from_ranks(rx: np.ndarray, ry: np.ndarray, axis: int = -1) -> np.ndarray | float:
    """Pearson's r of rank arrays along ``axis`` (NaN when a variable is constant)."""
    dx = rx - rx.mean(axis=axis, keepdims=True)
    dy = ry - ry.mean(axis=axis, keepdims=True)
    num = (dx * dy).sum(axis=axis)
    den = np.sqrt((dx * dx).sum(axis=axis) * (dy * dy).sum(axis=axis))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = num / den
    return np.clip(r, -1.0, 1.0)


def _vector_spearman(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
    """Spearman's rho along ``axis`` with ranks recomputed (for bootstrap resamples)."""
    return _rho_from_ranks(stats.rankdata(x, axis=axis), stats.rankdata(y, axis=axis), axis=axis)


@cache
def _exact_s_distribution(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Null distribution of S = sum (i - pi(i))^2 over all n! permutations: (values, counts)."""
    base = np.arange(n, dtype=np.int64)
    perms = np.array(list(permutations(range(n))), dtype=np.int64)
    s = ((perms - base) ** 2).sum(axis=1)
    values, counts = np.unique(s, return_counts=True)
    return values, counts


def _as89_upper(s: float, n: int) -> float:
    """P(S >= s) for untied data of size n > 9 by the AS 89 Edgeworth series."""
    c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12 = _AS89
    if s <= 0:
        return 1.0
    if s > n * (n * n - 1) / 3.0:
        return 0.0
    b = 1.0 / n
    # standardised statistic with a continuity correction of one unit of S
    x = (6.0 * (s - 1.0) * b / (n * n - 1.0) - 1.0) * math.sqrt(1.0 / b - 1.0)
    y = x * x
    u = x * b * (c1 + b * (c2 + c3 * b) + y * (-c4 + b * (c5 + c6 * b) - y * b * (
        c7 + c8 * b - y * (c9 - c10 * b + y * b * (c11 - c12 * y)))))
    p = u / math.exp(y / 2.0) + stats.norm.sf(x)
    return min(max(p, 0.0), 1.0)


def _s_tails(s: float, n: int) -> tuple[float, float, str]:
    """(P(S <= s), P(S >= s), method) under H0 for untied data."""
    if n <= EXACT_MAX_N:
        values, counts = _exact_s_distribution(n)
        total = counts.sum()
        lower = counts[values <= s + 1e-9].sum() / total
        upper = counts[values >= s - 1e-9].sum() / total
        return float(lower), float(upper), "exact"
    # S is always even for untied data, so P(S <= s) = 1 - P(S >= s + 2)
    return 1.0 - _as89_upper(s + 2.0, n), _as89_upper(s, n), "edgeworth"


def _combine_tails(p_greater: float, p_less: float, alternative: str) -> float:
    """p for ``alternative`` from P(statistic this high or higher) and P(this low or lower)."""
    if alternative == "greater":
        return p_greater
    if alternative == "less":
        return p_less
    return min(1.0, 2.0 * min(p_greater, p_less))


def _t_p(rho: float, n: int, alternative: str) -> float:
    if n < 3 or not np.isfinite(rho):
        return float("nan")
    if abs(rho) >= 1.0:
        t = math.copysign(math.inf, rho)
    else:
        t = rho * math.sqrt((n - 2) / (1.0 - rho * rho))
    df = n - 2
    return _combine_tails(float(stats.t.sf(t, df)), float(stats.t.cdf(t, df)), alternative)


def _fisher_interval(r: float, se: float, confidence: float,
                     alternative: str) -> tuple[float, float]:
    if not (np.isfinite(r) and np.isfinite(se)):
        return float("nan"), float("nan")
    z = math.atanh(min(max(r, -1.0 + 1e-15), 1.0 - 1e-15))
    if alternative == "two-sided":
        crit = stats.norm.ppf(0.5 + confidence / 2.0)
        return math.tanh(z - crit * se), math.tanh(z + crit * se)
    crit = stats.norm.ppf(confidence)
    if alternative == "greater":
        return math.tanh(z - crit * se), 1.0
    return -1.0, math.tanh(z + crit * se)


def fisher_se(rho: float, n: int, ci_method: str = "bonett-wright", n_covar: int = 0) -> float:
    """Standard error of atanh(rho): 1/sqrt(n-3-k) (Fisher) or Bonett-Wright's."""
    dof = n - 3 - n_covar
    if dof <= 0:
        return float("nan")
    if ci_method == "fisher":
        return 1.0 / math.sqrt(dof)
    return math.sqrt((1.0 + rho * rho / 2.0) / dof)


def _bootstrap_interval(x: np.ndarray, y: np.ndarray, confidence: float, alternative: str,
                        n_resamples: int, seed: Any) -> tuple[float, float]:
    if x.size < 4:
        return float("nan"), float("nan")
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore")
        res = stats.bootstrap((x, y), _vector_spearman, paired=True, vectorized=True,
                              n_resamples=n_resamples, confidence_level=confidence,
                              alternative=alternative, method="BCa",
                              **rng_kwargs(stats.bootstrap, seed))
    low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    if alternative == "greater":
        high = 1.0
    elif alternative == "less":
        low = -1.0
    return low, high


def _permutation_p(x: np.ndarray, y: np.ndarray, alternative: str, n_resamples: int,
                   seed: Any) -> float:
    rx, ry = stats.rankdata(x), stats.rankdata(y)

    def statistic(a: np.ndarray, axis: int = -1) -> np.ndarray:
        return _rho_from_ranks(a, np.broadcast_to(ry, a.shape), axis=axis)

    # One sample with permutation_type="pairings" permutes the order of x against the fixed y:
    # n! distinct pairings (SciPy enumerates them when n! <= n_resamples).
    res = stats.permutation_test((rx,), statistic, permutation_type="pairings",
                                 vectorized=True, n_resamples=n_resamples,
                                 alternative=alternative, **rng_kwargs(stats.permutation_test, seed))
    return float(res.pvalue)


def has_ties(values: np.ndarray) -> bool:
    return np.unique(values).size < values.size


# --------------------------------------------------------------------------- public: spearman

def spearman(x: Any, y: Any, alternative: str = "two-sided", ci_method: str = "bonett-wright",
             p_method: str = "auto", *, confidence: float = 0.95, n_resamples: int = 9999,
             seed: Any = 0) -> pd.DataFrame:
    """Spearman's rho of ``x`` and ``y`` with a confidence interval and a p-value.

    Returns a one-row DataFrame with :data:`SPEARMAN_COLUMNS`: ``n`` (complete pairs), ``rho``,
    ``ci_low``, ``ci_high``, ``p_val``, ``ci_method`` and ``p_method`` (the method actually used:
    ``"t"``, ``"exact"``, ``"edgeworth"`` or ``"permutation"``; ``"auto"`` is resolved). See the
    module documentation for each method. ``seed`` makes the bootstrap and permutation results
    reproducible. With fewer than 3 pairs, or a constant variable, the statistics are NaN.
    """
    check_choice("alternative", alternative, ALTERNATIVES)
    check_choice("ci_method", ci_method, CI_METHODS)
    check_choice("p_method", p_method, P_METHODS)
    confidence = check_confidence(confidence)
    xs, ys = _complete_pairs(x, y)
    n = int(xs.size)
    nan_row = {"n": n, "rho": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_val": np.nan,
               "ci_method": ci_method, "p_method": p_method}
    if n < 3:
        return pd.DataFrame([nan_row], columns=list(SPEARMAN_COLUMNS))
    rx, ry = stats.rankdata(xs), stats.rankdata(ys)
    rho = float(_rho_from_ranks(rx, ry))
    if not np.isfinite(rho):
        return pd.DataFrame([nan_row], columns=list(SPEARMAN_COLUMNS))
    tied = has_ties(xs) or has_ties(ys)

    method = p_method
    if method == "auto":
        method = "exact" if (n <= EXACT_MAX_N and not tied) else "t"
    if method == "exact":
        if tied:
            raise bad_argument("p_method='exact' needs untied data, but x or y has ties; use "
                               "p_method='permutation' (valid with ties) or 't'.")
        s = float(np.round(((rx - ry) ** 2).sum()))
        p_le, p_ge, method = _s_tails(s, n)
        # a high rho is a low S: 'greater' (positive association) is the lower tail of S
        p_val = _combine_tails(p_le, p_ge, alternative)
    elif method == "permutation":
        p_val = _permutation_p(xs, ys, alternative, n_resamples, seed)
    else:
        p_val = _t_p(rho, n, alternative)

    if ci_method == "bootstrap":
        ci_low, ci_high = _bootstrap_interval(xs, ys, confidence, alternative, n_resamples, seed)
    else:
        ci_low, ci_high = _fisher_interval(rho, fisher_se(rho, n, ci_method), confidence,
                                           alternative)
    row = {"n": n, "rho": rho, "ci_low": ci_low, "ci_high": ci_high, "p_val": float(p_val),
           "ci_method": ci_method, "p_method": method}
    return pd.DataFrame([row], columns=list(SPEARMAN_COLUMNS))


# --------------------------------------------------------------------------- partial Spearman

def partial_spearman(data: pd.DataFrame, x: str, y: str, covar: str | Sequence[str],
                     alternative: str = "two-sided", ci_method: str = "fisher", *,
                     confidence: float = 0.95) -> pd.DataFrame:
    """Spearman correlation of ``x`` and ``y`` controlling for ``covar`` (one or more columns).

    All variables are replaced by their mid-ranks; the ranks of ``x`` and ``y`` are residualised on
    the ranks of the covariates by least squares, and ``rho`` is Pearson's r of the residuals (the
    definition pingouin's ``partial_corr(method="spearman")`` uses). p is from Student's t with
    n - 2 - k degrees of freedom (k covariates); the interval is Fisher's with SE 1/sqrt(n - 3 - k)
    (``ci_method="fisher"``, as pingouin) or Bonett-Wright's ``sqrt((1 + rho^2/2)/(n - 3 - k))``.
    Rows with a missing value in any of the columns are dropped. Returns one row with
    :data:`PARTIAL_COLUMNS`.
    """
    check_choice("alternative", alternative, ALTERNATIVES)
    check_choice("ci_method", ci_method, ("fisher", "bonett-wright"))
    confidence = check_confidence(confidence)
    covars = [covar] if isinstance(covar, str) else list(covar)
    if not covars:
        raise bad_argument("partial_spearman needs at least one covariate in covar.")
    require_columns(data, [x, y, *covars], "partial_spearman")
    if len({x, y, *covars}) != 2 + len(covars):
        raise bad_argument(f"partial_spearman: x={x!r}, y={y!r} and covar={covars!r} must be "
                           "different columns.")
    frame = data[[x, y, *covars]].apply(pd.to_numeric, errors="coerce").dropna()
    n, k = len(frame), len(covars)
    row: dict[str, Any] = {"n": n, "n_covar": k, "covar": ",".join(covars), "rho": np.nan,
                           "ci_low": np.nan, "ci_high": np.nan, "p_val": np.nan,
                           "ci_method": ci_method, "p_method": "t"}
    if n - 2 - k < 1:
        return pd.DataFrame([row], columns=list(PARTIAL_COLUMNS))
    ranks = frame.rank(method="average")
    design = np.column_stack([np.ones(n), ranks[covars].to_numpy(dtype=float)])
    targets = ranks[[x, y]].to_numpy(dtype=float)
    beta, *_ = np.linalg.lstsq(design, targets, rcond=None)
    resid = targets - design @ beta
    rho = float(_rho_from_ranks(resid[:, 0], resid[:, 1]))
    if not np.isfinite(rho):
        return pd.DataFrame([row], columns=list(PARTIAL_COLUMNS))
    df = n - 2 - k
    if abs(rho) >= 1.0:
        t = math.copysign(math.inf, rho)
    else:
        t = rho * math.sqrt(df / (1.0 - rho * rho))
    p_val = _combine_tails(float(stats.t.sf(t, df)), float(stats.t.cdf(t, df)), alternative)
    ci_low, ci_high = _fisher_interval(rho, fisher_se(rho, n, ci_method, n_covar=k), confidence,
                                       alternative)
    row.update(rho=rho, ci_low=ci_low, ci_high=ci_high, p_val=p_val)
    return pd.DataFrame([row], columns=list(PARTIAL_COLUMNS))


# --------------------------------------------------------------------------- power

def _pwr_power(r: float, n: float, alpha: float, alternative: str) -> float:
    """Power of the test of rho = 0 (the approximation of R's pwr::pwr.r.test)."""
    if n <= 3:
        return float("nan")
    if alternative == "less":
        r = -r
    tails = 2 if alternative == "two-sided" else 1
    t_crit = stats.t.isf(alpha / tails, n - 2)
    r_crit = math.sqrt(t_crit ** 2 / (t_crit ** 2 + n - 2))
    z_r = math.atanh(r) + r / (2.0 * (n - 1.0))
    z_crit = math.atanh(r_crit)
    scale = math.sqrt(n - 3.0)
    power = special.ndtr((z_r - z_crit) * scale)
    if alternative == "two-sided":
        power += special.ndtr((-z_r - z_crit) * scale)
    return float(power)


def correlation_power(r: float, n: int | None = None, power: float | None = None,
                      alpha: float = 0.05, alternative: str = "two-sided") -> float | int:
    """Power of a correlation test for ``n``, or the smallest ``n`` that reaches ``power``.

    Give exactly one of ``n`` and ``power``. Uses the approximation of R's ``pwr::pwr.r.test``
    (Cohen 1988): the critical r from Student's t with n - 2 df, and Fisher's z of the true r with
    the bias term r / (2 (n - 1)) and SE 1 / sqrt(n - 3). With ``n`` it returns the power (float);
    with ``power`` it returns the sample size rounded up (int). ``alternative="less"`` is the
    one-sided test for a negative correlation, ``"greater"`` for a positive one.
    """
    check_choice("alternative", alternative, ALTERNATIVES)
    try:
        r = float(r)
        alpha = float(alpha)
    except (TypeError, ValueError):
        raise bad_argument("correlation_power: r and alpha must be numbers.") from None
    if not -1.0 < r < 1.0:
        raise bad_argument(f"correlation_power: r={r}; expected a value strictly between -1 and 1.")
    if not 0.0 < alpha < 1.0:
        raise bad_argument(f"correlation_power: alpha={alpha}; expected a value between 0 and 1.")
    if (n is None) == (power is None):
        raise bad_argument("correlation_power: give exactly one of n (to get the power) and power "
                           "(to get the sample size).")
    if n is not None:
        if not float(n) > 3:
            raise bad_argument(f"correlation_power: n={n}; expected more than 3 observations.")
        return _pwr_power(r, float(n), alpha, alternative)
    target = float(power)
    if not alpha < target < 1.0:
        raise bad_argument(f"correlation_power: power={power}; expected a value between alpha "
                           f"({alpha}) and 1.")
    if r == 0.0 or (alternative == "greater" and r < 0) or (alternative == "less" and r > 0):
        raise bad_argument(f"correlation_power: no sample size gives power {target} for r={r} "
                           f"with alternative={alternative!r}.")
    low = 4.0
    if _pwr_power(r, low, alpha, alternative) >= target:
        return 4
    high = 8.0
    while _pwr_power(r, high, alpha, alternative) < target:
        high *= 2.0
        if high > 1e9:
            raise bad_argument(f"correlation_power: r={r} needs more than 1e9 observations.")
    n_exact = optimize.brentq(lambda m: _pwr_power(r, m, alpha, alternative) - target, low, high,
                              xtol=1e-10)
    return math.ceil(n_exact - 1e-7)


# --------------------------------------------------------------------------- matrix

def correlation_matrix(data: pd.DataFrame, features: Sequence[str], measures: Sequence[str],
                       by: str | None = "timepoint", *, p_adjust: str = "holm",
                       alternative: str = "two-sided", ci_method: str = "bonett-wright",
                       p_method: str = "auto", confidence: float = 0.95, min_n: int = 4,
                       n_resamples: int = 9999, seed: Any = 0) -> pd.DataFrame:
    """Spearman correlations of every feature with every measure, within each level of ``by``.

    ``data`` has one row per participant (and time point, when ``by`` is given); ``features`` are
    behaviour counts, rates or timing figures, ``measures`` alliance and outcome scores. Pairs with
    fewer than ``min_n`` complete observations, and constant variables, are left out of the table
    (a row is never produced for a test that was not run). p-values are adjusted over the whole
    table (one family) with ``p_adjust`` (``"holm"``, ``"fdr_bh"``, ``"bonferroni"`` or
    ``"none"``; see :func:`ta_nlp.stats.adjust_p`). Returns the long table
    :data:`CORRELATION_COLUMNS`; ``timepoint`` holds the level of ``by`` (``"all"`` when ``by`` is
    None).
    """
    from ta_nlp.stats.multiple import ADJUST_METHODS, adjust_p

    check_choice("p_adjust", p_adjust, (*ADJUST_METHODS, "none"))
    features, measures = list(features), list(measures)
    require_columns(data, [*features, *measures, *([by] if by else [])], "correlation_matrix")
    groups = [("all", data)] if by is None else [
        (level, frame) for level, frame in data.groupby(by, sort=False, observed=True)]
    rows: list[dict[str, Any]] = []
    for level, frame in groups:
        for measure in measures:
            yv = pd.to_numeric(frame[measure], errors="coerce")
            if yv.notna().sum() < min_n or yv.nunique() < 2:
                continue
            for feature in features:
                if feature == measure:
                    continue
                xv = pd.to_numeric(frame[feature], errors="coerce")
                both = xv.notna() & yv.notna()
                if both.sum() < min_n or xv[both].nunique() < 2 or yv[both].nunique() < 2:
                    continue
                res = spearman(xv[both], yv[both], alternative=alternative, ci_method=ci_method,
                               p_method=p_method, confidence=confidence, n_resamples=n_resamples,
                               seed=seed).iloc[0].to_dict()
                rows.append({"feature": feature, "measure": measure, "timepoint": str(level),
                             **res})
    table = pd.DataFrame(rows, columns=[c for c in CORRELATION_COLUMNS
                                        if c not in ("p_adj", "p_adjust")])
    if p_adjust == "none":
        table["p_adj"] = table["p_val"]
    else:
        table["p_adj"] = adjust_p(table["p_val"].to_numpy(dtype=float), method=p_adjust)
    table["p_adjust"] = p_adjust
    table["n"] = table["n"].astype(int)
    return table[list(CORRELATION_COLUMNS)]
