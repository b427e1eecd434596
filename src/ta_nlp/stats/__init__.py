"""Statistics for alliance and outcome studies, as tidy DataFrames with snake_case columns.

============================  ================================================================
function                      returns
============================  ================================================================
:func:`spearman`              one row ``n, rho, ci_low, ci_high, p_val, ci_method, p_method``
:func:`adjust_p`              array of Holm / Benjamini-Hochberg / Bonferroni adjusted p
:func:`correlation_matrix`    long table features x measures (x time point) with ``p_adj``
:func:`partial_spearman`      one row, Spearman controlling for covariates
:func:`rm_corr`               one row ``n_obs, n_subjects, r, dof, p_val, ci_low, ci_high``
:func:`mixed_model`           fixed effects and variances of a random-intercept model
:func:`change_scores`         per-participant change from baseline to each follow-up
:func:`correlation_power`     power for n, or the n for a power
============================  ================================================================

Every statistic is tested against an independent implementation or a published worked example
(``tests/stats/``), with the provenance next to each reference number.
"""

from __future__ import annotations

from ta_nlp.stats.correlation import (
    CORRELATION_COLUMNS,
    PARTIAL_COLUMNS,
    SPEARMAN_COLUMNS,
    correlation_matrix,
    correlation_power,
    partial_spearman,
    spearman,
)
from ta_nlp.stats.multiple import ADJUST_METHODS, adjust_p
from ta_nlp.stats.repeated import (
    CHANGE_COLUMNS,
    MIXED_COLUMNS,
    RM_CORR_COLUMNS,
    change_scores,
    mixed_model,
    rm_corr,
)

__all__ = [
    "ADJUST_METHODS",
    "CHANGE_COLUMNS",
    "CORRELATION_COLUMNS",
    "MIXED_COLUMNS",
    "PARTIAL_COLUMNS",
    "RM_CORR_COLUMNS",
    "SPEARMAN_COLUMNS",
    "adjust_p",
    "change_scores",
    "correlation_matrix",
    "correlation_power",
    "mixed_model",
    "partial_spearman",
    "rm_corr",
    "spearman",
]
