"""Repeated-measures correlation, partial Spearman, mixed model, change scores, correlation matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ta_nlp.errors import StatsError
from ta_nlp.stats import (
    CHANGE_COLUMNS,
    CORRELATION_COLUMNS,
    MIXED_COLUMNS,
    PARTIAL_COLUMNS,
    RM_CORR_COLUMNS,
    adjust_p,
    change_scores,
    correlation_matrix,
    mixed_model,
    partial_spearman,
    rm_corr,
    spearman,
)


def _rm_data() -> pd.DataFrame:
    s = np.repeat(np.arange(1, 7), 4)
    t = np.tile(np.arange(1, 5), 6)
    x = s * 2 + t + ((s * 7 + t * 3) % 5) / 5
    y = -s + 0.5 * t + ((s * 3 + t * 5) % 7) / 7
    return pd.DataFrame({"subject": s, "x": x, "y": y})


def test_rm_corr_matches_r_ancova():
    # R 4.2.2 (the definition in Bakdash & Marusich 2017, computed with base R's lm/anova):
    #   s <- rep(1:6, each = 4); t <- rep(1:4, 6)
    #   rx <- s*2 + t + ((s*7 + t*3) %% 5)/5; ry <- -s + 0.5*t + ((s*3 + t*5) %% 7)/7
    #   m <- lm(ry ~ factor(s) + rx); a <- anova(m)
    #   r <- sign(coef(m)["rx"]) * sqrt(a["rx","Sum Sq"] / (a["rx","Sum Sq"] + a["Residuals","Sum Sq"]))
    #   -> r 0.8457366007, dof 17, p 5.094083904e-06
    #   tanh(atanh(r) + c(-1, 1) * qnorm(0.975) / sqrt(dof - 1)) -> 0.6357422396 0.9391712944
    table = rm_corr(_rm_data(), x="x", y="y", subject="subject")
    assert list(table.columns) == list(RM_CORR_COLUMNS)
    row = table.iloc[0]
    assert (row["n_obs"], row["n_subjects"], row["dof"]) == (24, 6, 17)
    assert row["r"] == pytest.approx(0.8457366007, rel=1e-9)
    assert row["p_val"] == pytest.approx(5.094083904e-06, rel=1e-8)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.6357422396, 0.9391712944), rel=1e-8)


def test_rm_corr_published_bland_altman_example():
    # Bakdash & Marusich (2017), Frontiers in Psychology 8:456, worked example on the Bland &
    # Altman (1995) pH / PaCO2 data (47 observations of 8 subjects): r_rm = -0.507, df = 38,
    # 95% CI [-0.71, -0.23], p = 0.0008. The data ship with pingouin as the "rm_corr" data set.
    pingouin = pytest.importorskip("pingouin")
    data = pingouin.read_dataset("rm_corr")
    row = rm_corr(data, x="pH", y="PacO2", subject="Subject").iloc[0]
    assert row["n_obs"] == 47 and row["n_subjects"] == 8 and row["dof"] == 38
    assert row["r"] == pytest.approx(-0.507, abs=0.0005)
    assert row["p_val"] == pytest.approx(0.000847, abs=0.000001)  # pingouin: 0.000847
    assert row["ci_low"] == pytest.approx(-0.71, abs=0.005)
    assert row["ci_high"] == pytest.approx(-0.23, abs=0.005)


def test_rm_corr_drops_missing_rows_and_checks_columns():
    data = _rm_data()
    data.loc[3, "x"] = np.nan
    assert rm_corr(data, "x", "y", "subject").iloc[0]["n_obs"] == 23
    with pytest.raises(StatsError):
        rm_corr(data, "x", "nope", "subject")


def _partial_data() -> pd.DataFrame:
    i = np.arange(1, 21)
    z = np.sin(i)
    return pd.DataFrame({"x": z + 0.5 * np.cos(3 * i), "y": z + 0.6 * np.cos(3 * i)
                         + 0.5 * np.sin(2 * i + 1), "z": z, "w": np.cos(i / 2)})


def test_partial_spearman_matches_r_rank_residuals():
    # R 4.2.2:
    #   i <- 1:20; z <- sin(i); px <- z + 0.5*cos(3*i); py <- z + 0.6*cos(3*i) + 0.5*sin(2*i+1)
    #   w <- cos(i/2)
    #   ex <- resid(lm(rank(px) ~ rank(z))); ey <- resid(lm(rank(py) ~ rank(z))); r <- cor(ex, ey)
    #   2*pt(-abs(r*sqrt(17/(1-r^2))), 17)            -> r 0.8350004021, p 8.68346827e-06
    #   (two covariates z, w; df 16)                     -> r 0.8357368165, p 1.570077665e-05
    data = _partial_data()
    one = partial_spearman(data, "x", "y", "z")
    assert list(one.columns) == list(PARTIAL_COLUMNS)
    assert one.iloc[0]["rho"] == pytest.approx(0.8350004021, rel=1e-9)
    assert one.iloc[0]["p_val"] == pytest.approx(8.68346827e-06, rel=1e-8)
    two = partial_spearman(data, "x", "y", ["z", "w"]).iloc[0]
    assert two["rho"] == pytest.approx(0.8357368165, rel=1e-9)
    assert two["p_val"] == pytest.approx(1.570077665e-05, rel=1e-8)
    assert (two["n"], two["n_covar"], two["covar"]) == (20, 2, "z,w")


def test_partial_spearman_matches_pingouin():
    pingouin = pytest.importorskip("pingouin")
    data = _partial_data()
    ref = pingouin.partial_corr(data, x="x", y="y", covar=["z", "w"], method="spearman")
    row = partial_spearman(data, "x", "y", ["z", "w"]).iloc[0]
    assert row["rho"] == pytest.approx(ref["r"].iloc[0], rel=1e-9)
    assert row["p_val"] == pytest.approx(ref["p_val"].iloc[0], rel=1e-8)
    assert row["ci_low"] == pytest.approx(ref["CI95"].iloc[0][0], abs=0.005)
    assert row["ci_high"] == pytest.approx(ref["CI95"].iloc[0][1], abs=0.005)


def _mixed_data() -> pd.DataFrame:
    ident = np.repeat(np.arange(1, 16), 3)
    tt = np.tile(np.arange(3), 15)
    wai = 40 + ((ident * 7) % 11)
    u = (((ident * 5) % 9) - 4) / 2
    e = (((ident * 11 + tt * 7) % 13) - 6) / 4
    nprs = 6 - 1.2 * tt - 0.08 * (wai - 45) + u + e
    return pd.DataFrame({"id": ident, "tp": tt, "wai": wai, "nprs": nprs})


def test_mixed_model_matches_nlme_and_lme4():
    # R 4.2.2, nlme 3.1-162 and lme4 1.1-31 (same data built in R):
    #   id <- rep(1:15, each = 3); tt <- rep(0:2, 15); wai <- 40 + ((id*7) %% 11)
    #   u <- (((id*5) %% 9) - 4)/2; e <- (((id*11 + tt*7) %% 13) - 6)/4
    #   nprs <- 6 - 1.2*tt - 0.08*(wai - 45) + u + e; d <- data.frame(id, tp = factor(tt), wai, nprs)
    #   m1 <- lme(nprs ~ tp + wai, random = ~1|id, data = d, method = "REML")
    #   fixef(m1)  -> 5.073634652 -1.4 -2.366666667 0.02263653484
    #   sqrt(diag(vcov(m1))) -> 5.291157965 0.3722873095 0.3722873095 0.1161833762
    #   VarCorr(m1) variances -> 1.564904 (intercept) 1.039484 (residual)
    #   lmer(nprs ~ tp + wai + (1|id), REML = TRUE): same estimates, SE 5.291156215 0.3722873668
    #   0.3722873668 0.1161833377
    # statsmodels' SEs agree with nlme/lme4 to about 1e-5 relative here; its p-values are Wald z
    # (nlme uses t with its own df, lme4 reports none).
    table = mixed_model(_mixed_data(), "nprs ~ C(tp) + wai", group="id")
    assert list(table.columns) == list(MIXED_COLUMNS)
    fixed = table[table["effect"] == "fixed"].set_index("term")
    assert list(fixed.index) == ["Intercept", "C(tp)[T.1]", "C(tp)[T.2]", "wai"]
    np.testing.assert_allclose(fixed["estimate"], [5.073634652, -1.4, -2.366666667, 0.02263653484],
                               rtol=1e-4)
    np.testing.assert_allclose(fixed["std_err"], [5.291157965, 0.3722873095, 0.3722873095,
                                                  0.1161833762], rtol=1e-4)
    random = table[table["effect"] == "random"].set_index("term")["estimate"]
    assert random["group_var"] == pytest.approx(1.564904, rel=1e-4)
    assert random["residual_var"] == pytest.approx(1.039484, rel=1e-4)
    assert set(table["n_obs"]) == {45} and set(table["n_groups"]) == {15}
    assert table["converged"].all()


def test_mixed_model_bad_formula_is_e505():
    with pytest.raises(StatsError) as info:
        mixed_model(_mixed_data(), "nprs + wai", group="id")
    assert info.value.code == "E505"
    with pytest.raises(StatsError):
        mixed_model(_mixed_data(), "nprs ~ nothing_here", group="id")


def test_change_scores():
    data = pd.DataFrame({
        "participant_id": ["p1", "p1", "p1", "p2", "p2", "p3"],
        "timepoint": ["pre_eval", "post_eval", "follow_up", "pre_eval", "follow_up", "post_eval"],
        "nprs": [7, 4, 3, 6, 6, 2],
    })
    table = change_scores(data, "nprs")
    assert list(table.columns) == list(CHANGE_COLUMNS)
    got = {(r.participant_id, r.to_timepoint): r.change for r in table.itertuples()}
    # p3 has no baseline: no row; p2 has no post_eval: only follow_up
    assert got == {("p1", "post_eval"): -3.0, ("p1", "follow_up"): -4.0, ("p2", "follow_up"): 0.0}


def test_correlation_matrix_long_format_and_holm_over_the_family():
    rng = np.random.default_rng(4)
    n = 30
    a = rng.normal(size=n)
    rows = []
    for tp in ("pre_eval", "post_eval"):
        for i in range(n):
            rows.append({"timepoint": tp, "info_n": a[i] + 0.1 * i % 3, "touch_n": rng.poisson(2),
                         "nprs": -a[i] + rng.normal(), "wai_total": a[i] * 5 + 40})
    data = pd.DataFrame(rows)
    table = correlation_matrix(data, ["info_n", "touch_n"], ["nprs", "wai_total"])
    assert list(table.columns) == list(CORRELATION_COLUMNS)
    assert len(table) == 8
    assert set(table["p_adjust"]) == {"holm"}
    np.testing.assert_allclose(table["p_adj"], adjust_p(table["p_val"], "holm"))
    first = table[(table.feature == "info_n") & (table.measure == "nprs")
                  & (table.timepoint == "pre_eval")].iloc[0]
    part = data[data.timepoint == "pre_eval"]
    assert first["rho"] == pytest.approx(spearman(part["info_n"], part["nprs"]).iloc[0]["rho"])
    bh = correlation_matrix(data, ["info_n"], ["nprs"], by=None, p_adjust="fdr_bh")
    assert list(bh["timepoint"]) == ["all"] and bh.iloc[0]["n"] == 60
