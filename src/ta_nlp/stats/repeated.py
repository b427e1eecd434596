"""Statistics over repeated measurements: repeated-measures correlation, mixed models, change scores."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ta_nlp.stats._util import bad_argument, check_confidence, require_columns

#: Columns of :func:`rm_corr`, in order.
RM_CORR_COLUMNS: tuple[str, ...] = ("n_obs", "n_subjects", "r", "dof", "p_val", "ci_low",
                                    "ci_high")
#: Columns of :func:`mixed_model`, in order.
MIXED_COLUMNS: tuple[str, ...] = ("term", "effect", "estimate", "std_err", "z", "p_val", "ci_low",
                                  "ci_high", "n_obs", "n_groups", "converged", "method")
#: Columns of :func:`change_scores`, in order.
CHANGE_COLUMNS: tuple[str, ...] = ("participant_id", "measure", "from_timepoint", "to_timepoint",
                                   "baseline", "followup", "change")


def rm_corr(data: pd.DataFrame, x: str, y: str, subject: str, *,
            confidence: float = 0.95) -> pd.DataFrame:
    """Repeated-measures correlation (Bakdash & Marusich 2017, Frontiers in Psychology 8:456).

    The common within-subject association of ``x`` and ``y``: an ANCOVA of ``y`` on ``subject``
    (as a factor) and ``x``; ``r = sign(slope) * sqrt(SS_x / (SS_x + SS_residual))`` with
    ``dof = n_obs - n_subjects - 1``. p is the ANCOVA F test of ``x`` (the same as Student's t on
    ``dof``). The interval is Fisher's with SE ``1 / sqrt(dof - 1)`` (that is, n = dof + 2, as the
    ``rmcorr`` R package and pingouin compute it). Rows with a missing value are dropped. Returns
    one row with :data:`RM_CORR_COLUMNS`.
    """
    confidence = check_confidence(confidence)
    require_columns(data, [x, y, subject], "rm_corr")
    if len({x, y, subject}) != 3:
        raise bad_argument("rm_corr: x, y and subject must be three different columns.")
    frame = data[[x, y, subject]].copy()
    frame[x] = pd.to_numeric(frame[x], errors="coerce")
    frame[y] = pd.to_numeric(frame[y], errors="coerce")
    frame = frame.dropna()
    n_obs = len(frame)
    n_subjects = int(frame[subject].nunique())
    dof = n_obs - n_subjects - 1
    row: dict[str, Any] = {"n_obs": n_obs, "n_subjects": n_subjects, "r": np.nan, "dof": dof,
                           "p_val": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    if dof < 1:
        return pd.DataFrame([row], columns=list(RM_CORR_COLUMNS))
    groups = frame.groupby(subject, sort=False)
    xc = (frame[x] - groups[x].transform("mean")).to_numpy(dtype=float)
    yc = (frame[y] - groups[y].transform("mean")).to_numpy(dtype=float)
    sxx, syy, sxy = float(xc @ xc), float(yc @ yc), float(xc @ yc)
    if sxx <= 0 or syy <= 0:
        return pd.DataFrame([row], columns=list(RM_CORR_COLUMNS))
    ss_x = sxy * sxy / sxx
    ss_resid = max(syy - ss_x, 0.0)
    r = math.copysign(math.sqrt(ss_x / (ss_x + ss_resid)), sxy)
    if ss_resid == 0:
        p_val = 0.0
    else:
        p_val = float(stats.f.sf(ss_x / (ss_resid / dof), 1, dof))
    row.update(r=r, p_val=p_val)
    if dof > 1:
        z = math.atanh(min(max(r, -1 + 1e-15), 1 - 1e-15))
        crit = stats.norm.ppf(0.5 + confidence / 2.0)
        se = 1.0 / math.sqrt(dof - 1)
        row.update(ci_low=math.tanh(z - crit * se), ci_high=math.tanh(z + crit * se))
    return pd.DataFrame([row], columns=list(RM_CORR_COLUMNS))


def mixed_model(data: pd.DataFrame, formula: str, group: str, *, reml: bool = True,
                confidence: float = 0.95) -> pd.DataFrame:
    """A linear mixed model with a random intercept per ``group`` (statsmodels ``MixedLM``).

    ``formula`` is a patsy formula for the fixed effects, e.g.
    ``"nprs ~ C(timepoint, Treatment('pre_eval')) + wai_total"``. Rows with a missing value in a
    variable of the formula are dropped. Fit by REML (``reml=False`` for maximum likelihood).

    Returns :data:`MIXED_COLUMNS`: one row per fixed effect (``effect="fixed"``) with its estimate,
    standard error, Wald z, two-sided p and interval from the normal distribution, then the
    variance of the random intercept (``term="group_var"``) and the residual variance
    (``term="residual_var"``) with ``effect="random"``. The standard errors are statsmodels' (the
    inverse observed information at the REML estimates) with normal-theory p-values; R's lme4
    reports no p-values and lmerTest uses t with Satterthwaite degrees of freedom, so p-values from
    those will be somewhat larger in small samples while estimates agree.
    """
    import statsmodels.formula.api as smf

    confidence = check_confidence(confidence)
    if not isinstance(formula, str) or "~" not in formula:
        raise bad_argument(f"mixed_model: formula={formula!r}; expected a patsy formula such as "
                           "'nprs ~ timepoint + wai_total'.")
    require_columns(data, [group], "mixed_model")
    frame = data.copy()
    frame = frame[frame[group].notna()]
    try:
        import patsy

        y_frame, x_frame = patsy.dmatrices(formula, frame, return_type="dataframe",
                                           NA_action="drop")
    except Exception as exc:  # patsy raises many kinds of errors for a bad formula
        raise bad_argument(f"mixed_model: cannot use formula {formula!r}: {exc}") from None
    frame = frame.loc[y_frame.index]
    n_obs = len(frame)
    n_groups = int(frame[group].nunique())
    if n_groups < 2 or n_obs <= x_frame.shape[1] + 1:
        raise bad_argument(f"mixed_model: too little data for {formula!r}: {n_obs} complete rows "
                           f"in {n_groups} groups.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = smf.mixedlm(formula, frame, groups=frame[group])
        fit = model.fit(reml=reml)
    converged = bool(getattr(fit, "converged", True)) and not any(
        "converge" in str(w.message).lower() for w in caught)
    crit = stats.norm.ppf(0.5 + confidence / 2.0)
    method = f"statsmodels MixedLM {'REML' if reml else 'ML'}, Wald z"
    rows = []
    fe = fit.fe_params
    bse = fit.bse_fe
    for term in fe.index:
        est, se = float(fe[term]), float(bse[term])
        z = est / se if se > 0 else np.nan
        p = float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan
        rows.append({"term": term, "effect": "fixed", "estimate": est, "std_err": se, "z": z,
                     "p_val": p, "ci_low": est - crit * se, "ci_high": est + crit * se})
    rows.append({"term": "group_var", "effect": "random", "estimate": float(fit.cov_re.iloc[0, 0])})
    rows.append({"term": "residual_var", "effect": "random", "estimate": float(fit.scale)})
    table = pd.DataFrame(rows)
    table["n_obs"] = n_obs
    table["n_groups"] = n_groups
    table["converged"] = converged
    table["method"] = method
    return table.reindex(columns=list(MIXED_COLUMNS))


def change_scores(data: pd.DataFrame, measure: str, baseline: str = "pre_eval",
                  followups: Sequence[str] | None = None, *, participant: str = "participant_id",
                  timepoint: str = "timepoint") -> pd.DataFrame:
    """Change of ``measure`` from the ``baseline`` time point to each follow-up, per participant.

    ``data`` is long (one row per participant and time point). ``change = followup - baseline``,
    so for pain (lower is better) a negative change is an improvement. Participants missing either
    value get no row for that pair. Returns :data:`CHANGE_COLUMNS`.
    """
    require_columns(data, [measure, participant, timepoint], "change_scores")
    levels = list(dict.fromkeys(data[timepoint].dropna().astype(str)))
    if baseline not in levels:
        raise bad_argument(f"change_scores: baseline time point {baseline!r} not in the data; "
                           f"found {levels}.")
    targets = [t for t in levels if t != baseline] if followups is None else list(followups)
    wide = (data.assign(**{timepoint: data[timepoint].astype(str)})
            .pivot_table(index=participant, columns=timepoint, values=measure, aggfunc="first",
                         sort=False))
    rows = []
    for target in targets:
        if target not in wide.columns:
            raise bad_argument(f"change_scores: time point {target!r} not in the data; found "
                               f"{levels}.")
        pair = wide[[baseline, target]].apply(pd.to_numeric, errors="coerce").dropna()
        for pid, (base, follow) in pair.iterrows():
            rows.append({"participant_id": pid, "measure": measure, "from_timepoint": baseline,
                         "to_timepoint": target, "baseline": float(base),
                         "followup": float(follow), "change": float(follow - base)})
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
