"""Spearman correlation against R's cor.test, pingouin and closed-form references.

Reference values were computed once with R 4.2.2 (Debian ``r-base-core``) and pasted here as
literals; the R code is next to each block. Data sets are small hand-made vectors (no study data).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from ta_nlp.errors import StatsError
from ta_nlp.stats import SPEARMAN_COLUMNS, spearman

A_X = list(range(1, 9))
A_Y = [2, 1, 4, 3, 6, 5, 8, 7]
B_X = [3.1, 1.2, 5.5, 4.8, 2.2, 9.9, 7.4, 6.1, 8.0]
B_Y = [12, 15, 9, 10, 14, 3, 8, 11, 6]
C_X = [0.5, 2.3, 1.1, 4.7, 3.3, 5.9, 6.4, 2.9, 8.8, 7.2, 9.5, 10.1]
C_Y = [1.7, 0.9, 3.8, 2.2, 5.1, 3.0, 7.7, 6.3, 4.4, 9.9, 8.1, 6.9]
# n = 26 with S = 4066, i.e. rho = -0.3901: the study's own figure (n = 26, rho = -0.39, p ~ .049)
D_X = list(range(1, 27))
D_Y = [19, 15, 13, 12, 21, 25, 26, 6, 17, 2, 24, 20, 23, 18, 7, 3, 4, 5, 16, 11, 22, 1, 10, 14, 8, 9]
E_X = [1, 2, 2, 3, 4, 4, 4, 5, 6, 7, 7, 8, 9, 9, 10]  # tied
E_Y = [2, 1, 3, 3, 5, 4, 6, 6, 5, 8, 9, 7, 9, 10, 10]
F_X = [1, 2, 3, 4, 5]
F_Y = [2, 1, 4, 3, 5]
DATA = {"A": (A_X, A_Y), "B": (B_X, B_Y), "C": (C_X, C_Y), "D": (D_X, D_Y), "F": (F_X, F_Y)}

# R 4.2.2:
#   ct <- function(x, y, alt, exact) { r <- cor.test(x, y, method = "spearman",
#                                                    alternative = alt, exact = exact)
#                                     c(r$estimate, r$p.value) }
#   for alt in "two.sided", "less", "greater"; exact = TRUE ("exact") and FALSE ("t")
# R's exact=TRUE enumerates permutations for n <= 9 and uses AS 89 (Edgeworth) above.
R_COR_TEST = {
    # data: (rho, {alternative: (p exact/AS 89, p t approximation)})
    "A": (0.9047619048, {"two-sided": (0.004563492063, 0.002008275505),
                         "less": (0.9988839286, 0.9989958622),
                         "greater": (0.002281746032, 0.001004137753)}),
    "B": (-0.95, {"two-sided": (0.0003527336861, 8.762523965e-05),
                  "less": (0.000176366843, 4.381261983e-05),
                  "greater": (0.999917328, 0.9999561874)}),
    "C": (0.6853146853, {"two-sided": (0.01730502349, 0.01390596881),
                         "less": (0.9920611533, 0.9930470156),
                         "greater": (0.008652511744, 0.006952984407)}),
    "D": (-0.3900854701, {"two-sided": (0.04975072428, 0.04883009951),
                          "less": (0.02487536214, 0.02441504975),
                          "greater": (0.9753372852, 0.9755849502)}),
    "F": (0.8, {"two-sided": (0.1333333333, 0.1040880387),
                "less": (0.9583333333, 0.9479559807),
                "greater": (0.06666666667, 0.05204401933)}),
}


def _one(*args, **kwargs) -> dict:
    table = spearman(*args, **kwargs)
    assert list(table.columns) == list(SPEARMAN_COLUMNS)
    assert len(table) == 1
    return table.iloc[0].to_dict()


@pytest.mark.parametrize("name", sorted(R_COR_TEST))
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_p_values_match_r_cor_test(name, alternative):
    x, y = DATA[name]
    rho, ps = R_COR_TEST[name]
    p_exact, p_t = ps[alternative]
    exact = _one(x, y, alternative=alternative, p_method="exact")
    t = _one(x, y, alternative=alternative, p_method="t")
    assert exact["rho"] == pytest.approx(rho, rel=1e-9)
    assert exact["p_val"] == pytest.approx(p_exact, rel=1e-8)
    assert t["p_val"] == pytest.approx(p_t, rel=1e-8)
    # enumeration for n <= 9, AS 89 Edgeworth series above
    assert exact["p_method"] == ("exact" if len(x) <= 9 else "edgeworth")
    assert t["p_method"] == "t"


def test_study_figure_n26_rho_minus_039_gives_p_0049():
    # The study (Musculoskeletal Care 2022) reported rho = -0.39 with n = 26 and p = 0.049.
    res = _one(D_X, D_Y)  # auto -> t approximation for n > 9
    assert res["n"] == 26
    assert res["rho"] == pytest.approx(-0.39, abs=0.001)
    assert res["p_method"] == "t"
    assert res["p_val"] == pytest.approx(0.049, abs=0.0005)
    # t approximation is what scipy reports as well
    assert res["p_val"] == pytest.approx(sps.spearmanr(D_X, D_Y).pvalue, rel=1e-12)


def test_auto_uses_exact_for_small_untied_and_t_otherwise():
    assert _one(A_X, A_Y)["p_method"] == "exact"
    assert _one(C_X, C_Y)["p_method"] == "t"
    tied_small = _one([1, 2, 2, 3, 4], [2, 1, 3, 5, 4])
    assert tied_small["p_method"] == "t"


def test_ties_use_midranks_and_t_p_like_r():
    # R: cor.test(E_x, E_y, method = "spearman", exact = FALSE)  -> rho 0.9476549734,
    #    p 8.151884177e-08; alternative = "less" -> p 0.9999999592
    res = _one(E_X, E_Y)
    assert res["rho"] == pytest.approx(0.9476549734, rel=1e-9)
    assert res["p_val"] == pytest.approx(8.151884177e-08, rel=1e-7)
    assert _one(E_X, E_Y, alternative="less")["p_val"] == pytest.approx(0.9999999592, rel=1e-9)


def test_exact_with_ties_is_a_clear_error():
    with pytest.raises(StatsError) as info:
        spearman(E_X, E_Y, p_method="exact")
    assert info.value.code == "E505"
    assert "permutation" in info.value.message


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_permutation_p_enumerates_small_n_and_equals_exact(alternative):
    # n = 5: 120 pairings <= n_resamples, so scipy enumerates them all and the permutation p is
    # the exact p (R values above for data F).
    res = _one(F_X, F_Y, alternative=alternative, p_method="permutation")
    assert res["p_method"] == "permutation"
    assert res["p_val"] == pytest.approx(R_COR_TEST["F"][1][alternative][0], rel=1e-9)


def test_permutation_p_is_seeded_and_close_to_exact_edgeworth():
    a = _one(D_X, D_Y, p_method="permutation", seed=7, n_resamples=20000)
    b = _one(D_X, D_Y, p_method="permutation", seed=7, n_resamples=20000)
    assert a["p_val"] == b["p_val"]
    # Monte Carlo SE of p ~ sqrt(.05 * .95 / 20000) = 0.0015
    assert a["p_val"] == pytest.approx(0.04975072428, abs=0.006)


# R 4.2.2 (closed-form intervals; r <- cor(x, y, method = "spearman"), n <- length(x)):
#   fisher: tanh(atanh(r) + c(-1, 1) * qnorm(0.975) / sqrt(n - 3))
#   bw:     tanh(atanh(r) + c(-1, 1) * qnorm(0.975) * sqrt((1 + r^2 / 2) / (n - 3)))
#   bw, alternative greater, 90%: tanh(atanh(r) - qnorm(0.90) * sqrt((1 + r^2/2) / (n - 3)))
#   bw, alternative less, 95%:    tanh(atanh(r) + qnorm(0.95) * sqrt((1 + r^2/2) / (n - 3)))
R_INTERVALS = {
    "C": {"fisher": (0.1836387952, 0.9037632992), "bonett-wright": (0.1125986276, 0.9162358239),
          "greater90": 0.3490560885, "less95": 0.8953634456},
    "D": {"fisher": (-0.6753862946, -0.003220087585),
          "bonett-wright": (-0.6836012282, 0.01204124313),
          "greater90": -0.5974048319, "less95": -0.05605810799},
}


@pytest.mark.parametrize("name", ["C", "D"])
def test_fisher_and_bonett_wright_intervals(name):
    x, y = DATA[name]
    ref = R_INTERVALS[name]
    for method in ("fisher", "bonett-wright"):
        res = _one(x, y, ci_method=method)
        assert (res["ci_low"], res["ci_high"]) == pytest.approx(ref[method], rel=1e-8)
        assert res["ci_method"] == method
    greater = _one(x, y, alternative="greater", confidence=0.90)
    assert greater["ci_low"] == pytest.approx(ref["greater90"], rel=1e-8)
    assert greater["ci_high"] == 1.0
    less = _one(x, y, alternative="less")
    assert less["ci_low"] == -1.0
    assert less["ci_high"] == pytest.approx(ref["less95"], rel=1e-8)


def test_fisher_interval_agrees_with_pingouin():
    pingouin = pytest.importorskip("pingouin")
    # pingouin's Spearman CI uses the plain Fisher SE 1/sqrt(n - 3) (rounded to 2 decimals)
    ref = pingouin.corr(C_X, C_Y, method="spearman")["CI95"].iloc[0]
    res = _one(C_X, C_Y, ci_method="fisher")
    assert res["ci_low"] == pytest.approx(ref[0], abs=0.005)
    assert res["ci_high"] == pytest.approx(ref[1], abs=0.005)
    # Bonett-Wright is wider than the plain Fisher interval (its SE is larger for rho != 0)
    bw = _one(C_X, C_Y)
    assert bw["ci_high"] - bw["ci_low"] > res["ci_high"] - res["ci_low"]


def test_bootstrap_bca_matches_r_boot_within_monte_carlo_error():
    # R 4.2.2, boot 1.3-28.1:
    #   st <- function(d, k) cor(d$x[k], d$y[k], method = "spearman")
    #   set.seed(1); b <- boot(data.frame(x = D_x, y = D_y), st, R = 100000)
    #   boot.ci(b, type = "bca", L = empinf(b, type = "jack"))$bca[4:5]
    #   -> -0.6158347676 -0.0670809557
    # SciPy counts bootstrap values equal to the estimate as half below when estimating the bias
    # correction (R counts them as not below), which moves the upper limit by ~0.007 here.
    res = _one(D_X, D_Y, ci_method="bootstrap", n_resamples=20000, seed=3)
    assert res["ci_low"] == pytest.approx(-0.6158347676, abs=0.015)
    assert res["ci_high"] == pytest.approx(-0.0670809557, abs=0.015)
    again = _one(D_X, D_Y, ci_method="bootstrap", n_resamples=20000, seed=3)
    assert (again["ci_low"], again["ci_high"]) == (res["ci_low"], res["ci_high"])


def test_missing_pairs_are_dropped_and_counted():
    x = [1.0, 2.0, np.nan, 4.0, 5.0, 6.0]
    y = [2.0, 1.0, 3.0, np.nan, 5.0, 6.0]
    res = _one(pd.Series(x), pd.Series(y))
    assert res["n"] == 4
    assert res["rho"] == pytest.approx(sps.spearmanr([1, 2, 5, 6], [2, 1, 5, 6]).statistic)


def test_degenerate_input_gives_nan_not_an_exception():
    assert np.isnan(_one([1, 2], [3, 4])["rho"])
    assert np.isnan(_one([1, 1, 1, 1], [1, 2, 3, 4])["rho"])


@pytest.mark.parametrize("kwargs", [{"alternative": "two.sided"}, {"ci_method": "wald"},
                                    {"p_method": "asymptotic"}, {"confidence": 95}])
def test_bad_arguments_raise_e505(kwargs):
    with pytest.raises(StatsError) as info:
        spearman(A_X, A_Y, **kwargs)
    assert info.value.code == "E505"


def test_length_mismatch_is_an_error():
    with pytest.raises(StatsError):
        spearman([1, 2, 3], [1, 2])
