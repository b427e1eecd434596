"""ta-nlp analyze: tables, figures and linkage on a simulated study (counts from the truth file)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ta_nlp.analysis import (
    ALLIANCE_OUTCOME_COLUMNS,
    DESCRIPTIVE_COLUMNS,
    MIXED_TABLE_COLUMNS,
    POWER_COLUMNS,
    TABLE_NAMES,
    analyze,
    default_features,
    to_markdown,
)
from ta_nlp.cli import run_app
from ta_nlp.codes import CODES
from ta_nlp.errors import StatsError
from ta_nlp.simulate import simulate
from ta_nlp.stats import CORRELATION_COLUMNS, adjust_p, spearman


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("study")
    simulate(40, folder, seed=21, transcripts=False)
    return folder


@pytest.fixture(scope="module")
def analysed(study, tmp_path_factory):
    out = tmp_path_factory.mktemp("analysis")
    result = analyze(study / "encounters_truth.csv", study / "outcomes.csv", out,
                     n_resamples=499, seed=3)
    return result, out


def test_tables_have_their_documented_columns(analysed):
    result, _ = analysed
    assert set(result.tables) == set(TABLE_NAMES)
    assert list(result.tables["alliance_outcomes"].columns) == list(ALLIANCE_OUTCOME_COLUMNS)
    assert list(result.tables["correlations"].columns) == list(CORRELATION_COLUMNS)
    assert list(result.tables["descriptives"].columns) == list(DESCRIPTIVE_COLUMNS)
    assert list(result.tables["mixed_model"].columns) == list(MIXED_TABLE_COLUMNS)
    assert list(result.tables["power"].columns) == list(POWER_COLUMNS)
    assert result.tables["linkage"].empty


def test_alliance_outcome_rows_equal_direct_statistics(study, analysed):
    result, _ = analysed
    ao = result.tables["alliance_outcomes"]
    assert len(ao) == 6  # nprs and psfs at three time points
    outcomes = pd.read_csv(study / "outcomes.csv")
    wide = outcomes.pivot(index="participant_id", columns="timepoint")
    row = ao[(ao.measure == "nprs") & (ao.timepoint == "follow_up")].iloc[0]
    ref = spearman(wide[("wai_total", "post_eval")], wide[("nprs", "follow_up")]).iloc[0]
    assert row["rho"] == pytest.approx(ref["rho"])
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ref["ci_low"], ref["ci_high"]))
    assert row["n"] == 40 and row["p_method"] == "t" and row["ci_method"] == "bonett-wright"
    assert row["boot_ci_low"] < row["rho"] < row["boot_ci_high"]
    assert 0 < row["p_perm"] <= 1
    assert ao["p_adj"].tolist() == pytest.approx(adjust_p(ao["p_val"], "holm").tolist())


def test_correlations_cover_counts_and_timing_and_are_holm_adjusted(analysed):
    result, _ = analysed
    corr = result.tables["correlations"]
    assert set(corr["feature"]) == {f"{c}_n" for c in CODES}  # no timing without transcripts
    wai = corr[corr.measure == "wai_total"]
    assert set(wai["timepoint"]) == {"post_eval"} and len(wai) == 10
    assert corr["p_adj"].tolist() == pytest.approx(adjust_p(corr["p_val"], "holm").tolist())
    assert set(corr["p_adjust"]) == {"holm"}


def test_models_change_partial_rm_and_power(analysed):
    result, _ = analysed
    mm = result.tables["mixed_model"]
    assert set(mm["model"]) == {"nprs ~ C(timepoint, Treatment('pre_eval')) + wai_total",
                                "psfs ~ C(timepoint, Treatment('pre_eval')) + wai_total"}
    assert (mm["n_obs"] == 120).all() and (mm["n_groups"] == 40).all()
    change = result.tables["change"]
    assert set(zip(change["measure"], change["to_timepoint"])) == {
        ("nprs", "post_eval"), ("nprs", "follow_up"), ("psfs", "post_eval"), ("psfs", "follow_up")}
    assert len(result.tables["change_values"]) == 160
    partial = result.tables["partial"]
    assert set(partial["covar"]) == {"nprs@pre_eval", "psfs@pre_eval"}
    rm = result.tables["rm_corr"]
    assert list(zip(rm["x"], rm["y"])) == [("nprs", "psfs")]
    assert (rm["n_subjects"] == 40).all()
    power = result.tables["power"]
    study_row = power[power.label.str.startswith("study figure")].iloc[0]
    assert study_row["n_for_80"] == 49


def test_files_are_written(analysed):
    _result, out = analysed
    for name in TABLE_NAMES:
        assert (out / "tables" / f"{name}.csv").exists()
        assert (out / "tables" / f"{name}.md").read_text().startswith(f"# {name}")
    for name in ("alliance_outcomes", "heatmap", "profile"):
        png = (out / "figures" / f"{name}.png").read_bytes()
        svg = (out / "figures" / f"{name}.svg").read_text()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
        assert "<svg" in svg
    meta = json.loads((out / "analysis.json").read_text())
    assert meta["n_linked"] == 40 and meta["alliance"] == "wai_total"
    assert meta["alliance_timepoint"] == "post_eval" and meta["n_resamples"] == 499
    summary = (out / "summary.md").read_text()
    assert "## alliance_outcomes" in summary and "Linked 40 of 40" in summary


def test_unlinked_participants_and_encounters_are_reported_not_dropped(study, tmp_path):
    outcomes = pd.read_csv(study / "outcomes.csv")
    extra = outcomes[outcomes.participant_id == "P001"].assign(participant_id="P999",
                                                               transcript_id="missing01")
    pd.concat([outcomes, extra]).to_csv(tmp_path / "outcomes.csv", index=False)
    enc = pd.read_csv(study / "encounters_truth.csv")
    orphan = enc.iloc[[0]].assign(transcript_id="orphan01")
    pd.concat([enc, orphan]).to_csv(tmp_path / "encounters.csv", index=False)
    result = analyze(tmp_path / "encounters.csv", tmp_path / "outcomes.csv", tmp_path / "out",
                     n_resamples=0, figures=False)
    linkage = result.tables["linkage"]
    assert set(zip(linkage["issue"], linkage["transcript_id"])) == {
        ("no_coded_encounter", "missing01"), ("no_outcomes", "orphan01")}
    assert result.settings["n_linked"] == 40
    assert any("1 no coded encounter" in n and "1 no outcomes" in n for n in result.notes)
    assert pd.read_csv(tmp_path / "out" / "tables" / "linkage.csv").shape[0] == 2
    with pytest.raises(StatsError) as info:
        analyze(tmp_path / "encounters.csv", tmp_path / "outcomes.csv", strict=True,
                n_resamples=0)
    assert info.value.code == "E506"


def test_nothing_links_is_e512(study, tmp_path):
    enc = pd.read_csv(study / "encounters_truth.csv").assign(transcript_id=lambda f: "x" + f[
        "transcript_id"])
    with pytest.raises(StatsError) as info:
        analyze(enc, study / "outcomes.csv", n_resamples=0)
    assert info.value.code == "E512" and "xsim001" in info.value.message


def test_unknown_feature_is_e505(study):
    with pytest.raises(StatsError):
        analyze(study / "encounters_truth.csv", study / "outcomes.csv", features=["nope_n"],
                n_resamples=0)


def test_default_features_prefer_counts_then_timing():
    frame = pd.DataFrame({"transcript_id": ["a"], "touch_n": [1], "restating_n": [2],
                          "duration_s": [300.0], "latency_median_s": [float("nan")]})
    assert default_features(frame) == ["restating_n", "touch_n", "duration_s"]


def test_markdown_table_rounds_and_escapes():
    frame = pd.DataFrame({"measure": ["a|b"], "rho": [-0.38999], "p_val": [0.0004], "n": [26]})
    text = to_markdown(frame)
    assert text.splitlines()[0] == "| measure | rho | p_val | n |"
    assert "| a\\|b | -0.390 | <0.001 | 26 |" in text


def test_cli_analyze(study, tmp_path, capsys):
    code = run_app(["analyze", "--encounters", str(study / "encounters_truth.csv"), "--outcomes",
                    str(study / "outcomes.csv"), "--out", str(tmp_path / "cli"),
                    "--resamples", "0", "--p-adjust", "fdr_bh", "--no-figures"])
    assert code == 0
    out = capsys.readouterr().out
    assert "Linked 40 of 40 participants" in out and "wai_total ~ nprs @ post_eval" in out
    corr = pd.read_csv(tmp_path / "cli" / "tables" / "correlations.csv")
    assert set(corr["p_adjust"]) == {"fdr_bh"}


def test_cli_analyze_bad_outcomes_prints_error_without_traceback(study, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("participant_id,transcript_id,timepoint,nprs\nP001,sim001,week9,4\n")
    code = run_app(["analyze", "--encounters", str(study / "encounters_truth.csv"),
                    "--outcomes", str(bad), "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 1 and "E504" in err and "Traceback" not in err
