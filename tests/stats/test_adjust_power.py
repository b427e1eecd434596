"""Multiple-comparison adjustment and correlation power against R and statsmodels/pingouin."""

from __future__ import annotations

import numpy as np
import pytest

from ta_nlp.errors import StatsError
from ta_nlp.stats import adjust_p, correlation_power

P = [0.01, 0.02, 0.03, 0.04, 0.05, 0.2, np.nan, 0.001, 0.5]

# R 4.2.2: p <- c(0.01, 0.02, 0.03, 0.04, 0.05, 0.2, NA, 0.001, 0.5); p.adjust(p, METHOD)
R_P_ADJUST = {
    "holm": [0.07, 0.12, 0.15, 0.16, 0.16, 0.4, np.nan, 0.008, 0.5],
    "fdr_bh": [0.04, 0.05333333333, 0.06, 0.064, 0.06666666667, 0.2285714286, np.nan, 0.008, 0.5],
    "bonferroni": [0.08, 0.16, 0.24, 0.32, 0.4, 1, np.nan, 0.008, 1],
}


@pytest.mark.parametrize("method", sorted(R_P_ADJUST))
def test_adjust_p_matches_r_p_adjust(method):
    got = adjust_p(P, method=method)
    np.testing.assert_allclose(got, R_P_ADJUST[method], rtol=1e-9, equal_nan=True)


@pytest.mark.parametrize("method", ["holm", "fdr_bh", "bonferroni"])
def test_adjust_p_matches_statsmodels_named_method(method):
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(11)
    p = rng.uniform(0, 0.2, size=40)
    # statsmodels' default is Holm-Sidak ("hs"), so the method is always named explicitly
    ref = multipletests(p, method=method)[1]
    np.testing.assert_allclose(adjust_p(p, method=method), ref, rtol=1e-12)


def test_adjust_p_default_is_holm_not_holm_sidak():
    from statsmodels.stats.multitest import multipletests

    p = [0.01, 0.02, 0.03]
    assert adjust_p(p) == pytest.approx(multipletests(p, method="holm")[1])
    assert adjust_p(p) != pytest.approx(multipletests(p)[1])  # statsmodels default "hs"


def test_adjust_p_rejects_bad_method_and_values():
    with pytest.raises(StatsError):
        adjust_p([0.1], method="BH")
    with pytest.raises(StatsError):
        adjust_p([1.5])


# R 4.2.2, pwr 1.3-0:
#   pwr.r.test(r = 0.39, power = 0.8)$n                        -> 48.46454637
#   pwr.r.test(r = -0.39, power = 0.8)$n                       -> 48.46454637
#   pwr.r.test(r = 0.39, n = 26)$power                         -> 0.5189104003
#   pwr.r.test(r = -0.39, n = 26, alternative = "less")$power  -> 0.6442244078
#   pwr.r.test(r = 0.3, power = 0.9, sig.level = 0.01)$n       -> 157.757501
#   pwr.r.test(r = 0.5, power = 0.8, alternative = "greater")$n -> 22.60907076
def test_n_to_detect_study_rho_with_80_percent_power():
    # The study's rho = -0.39: 49 participants for 80% power (two-sided alpha .05); pwr.r.test
    # gives n = 48.46, rounded up. (G*Power's exact bivariate-normal model gives a similar n.)
    assert correlation_power(-0.39, power=0.8) == 49
    assert correlation_power(0.39, power=0.8) == 49


def test_power_values_match_pwr():
    assert correlation_power(0.39, n=26) == pytest.approx(0.5189104003, rel=1e-8)
    assert correlation_power(-0.39, n=26, alternative="less") == pytest.approx(0.6442244078,
                                                                              rel=1e-8)
    assert correlation_power(0.3, power=0.9, alpha=0.01) == 158  # 157.76 rounded up
    assert correlation_power(0.5, power=0.8, alternative="greater") == 23  # 22.61 rounded up


def test_power_matches_pingouin_and_the_n_is_the_smallest_that_reaches_it():
    pingouin = pytest.importorskip("pingouin")
    assert correlation_power(-0.39, n=26) == pytest.approx(pingouin.power_corr(r=-0.39, n=26),
                                                           rel=1e-8)
    n = correlation_power(-0.39, power=0.8)
    assert correlation_power(-0.39, n=n) >= 0.8
    assert correlation_power(-0.39, n=n - 1) < 0.8


@pytest.mark.parametrize("kwargs", [{}, {"n": 20, "power": 0.8}, {"n": 3}, {"power": 0.01},
                                    {"power": 0.8, "alternative": "greater"}])
def test_power_bad_arguments(kwargs):
    with pytest.raises(StatsError) as info:
        correlation_power(-0.39, **kwargs)
    assert info.value.code == "E505"
