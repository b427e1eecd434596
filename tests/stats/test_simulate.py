"""Simulated studies: determinism, consistency of the truth files, recovery of known parameters."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ta_nlp.codes import CODES
from ta_nlp.errors import StatsError
from ta_nlp.outcomes import read_outcomes
from ta_nlp.simulate import TRUTH_UNIT_COLUMNS, simulate
from ta_nlp.stats import mixed_model, spearman


def _alliance_vs(outcomes: pd.DataFrame, measure: str, timepoint: str,
                 alliance_tp: str = "post_eval") -> tuple[pd.Series, pd.Series]:
    wide = outcomes.pivot(index="participant_id", columns="timepoint")
    return (wide[("wai_total", alliance_tp)].astype(float), wide[(measure, timepoint)].astype(float))


def test_same_seed_same_study_and_files(tmp_path):
    a = simulate(12, tmp_path / "a", seed=5)
    b = simulate(12, tmp_path / "b", seed=5)
    c = simulate(12, seed=6, transcripts=False)
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes)
    assert a.transcripts == b.transcripts
    assert not a.outcomes["nprs"].equals(c.outcomes["nprs"])
    for name in ("outcomes.csv", "encounters_truth.csv", "truth_units.csv", "truth.json",
                 "README.md"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert len(list((tmp_path / "a" / "transcripts").glob("*.txt"))) == 12
    readme = (tmp_path / "a" / "README.md").read_text()
    assert "SIMULATED DATA" in readme
    first = (tmp_path / "a" / "transcripts" / "sim001.txt").read_text()
    assert first.startswith("Simulated physiotherapy consultation")


def test_outcomes_table_is_valid_and_wai_sr_items_sum_to_the_total(tmp_path):
    result = simulate(30, tmp_path, seed=2, transcripts=False)
    table = read_outcomes(tmp_path / "outcomes.csv")  # validates ranges, duplicates, WAI-SR
    data = table.data
    assert len(data) == 90
    assert set(table.measures) >= {"wai_total", "wai_goal", "wai_task", "wai_bond", "nprs",
                                   "psfs"}
    assert data.groupby("timepoint")["wai_total"].count().to_dict() == {
        "follow_up": 0, "post_eval": 30, "pre_eval": 0}
    assert result.truth["alliance_timepoint"] == "post_eval"


def test_truth_units_match_the_counts_and_the_transcript_lines(tmp_path):
    result = simulate(10, tmp_path, seed=3)
    units = pd.read_csv(tmp_path / "truth_units.csv", keep_default_na=False)
    assert list(units.columns) == list(TRUTH_UNIT_COLUMNS)
    enc = result.encounters.set_index("transcript_id")
    for tid, frame in units.groupby("transcript_id"):
        for code in CODES:
            assert (frame["code"] == code).sum() == enc.loc[tid, f"{code}_n"], (tid, code)
        assert len(frame) == enc.loc[tid, "n_clinician_units"]
        lines = (tmp_path / "transcripts" / f"{tid}.txt").read_text().split("\n")
        for row in frame.itertuples():
            line = lines[row.line - 1]
            assert line.endswith(f"Physio: {row.text}")


def test_transcripts_segment_into_the_intended_clinician_units(tmp_path):
    segment = pytest.importorskip("ta_nlp.segment")
    result = simulate(4, tmp_path, seed=8)
    seg = segment.segment([tmp_path / "transcripts"])
    assert len(seg.errors) == 0
    got = seg.encounters.set_index("transcript_id")["n_clinician_units"].to_dict()
    want = result.encounters.set_index("transcript_id")["n_clinician_units"].to_dict()
    assert got == want
    clin = seg.utterances[seg.utterances["role"] == "clinician"]
    truth = result.units
    assert clin["clean_text"].tolist() == [t.replace(" [laughs]", "") for t in truth["text"]] or \
        clin["text"].tolist() == truth["text"].tolist()


def test_calibrated_truth_is_the_chosen_rho():
    truth = simulate(8, seed=0, rho=-0.39, rho_function=0.3, transcripts=False).truth
    pop = truth["population"]
    pain = list(pop["spearman_wai_total_nprs"].values())
    assert np.mean(pain) == pytest.approx(-0.39, abs=0.005)
    assert all(abs(v + 0.39) < 0.02 for v in pain)
    assert np.mean(list(pop["spearman_wai_total_psfs"].values())) == pytest.approx(0.30, abs=0.005)
    # behaviours that drive alliance correlate positively with it; education is neutral
    codes = pop["spearman_code_n_wai_total"]
    assert codes["restating"] > 0.2 and codes["listening"] > 0.2
    assert abs(codes["education"]) < codes["restating"]


def test_large_sample_recovers_rho_and_mixed_model_coefficient():
    result = simulate(400, seed=11, transcripts=False)
    pop = result.truth["population"]
    for tp, true_rho in pop["spearman_wai_total_nprs"].items():
        x, y = _alliance_vs(result.outcomes, "nprs", tp)
        row = spearman(x, y).iloc[0]
        assert row["ci_low"] <= true_rho <= row["ci_high"], tp
        assert row["rho"] == pytest.approx(true_rho, abs=0.12)
    long = result.outcomes.copy()
    wai = long.dropna(subset=["wai_total"]).set_index("participant_id")["wai_total"].astype(float)
    long["alliance"] = long["participant_id"].map(wai)
    fit = mixed_model(long, "nprs ~ C(timepoint) + alliance", group="participant_id")
    coef = fit.set_index("term").loc["alliance"]
    truth = pop["lmm_nprs_wai_total_coef"]
    assert coef["ci_low"] <= truth <= coef["ci_high"]


def _coverage(seeds, n: int, ci_method: str) -> tuple[float, float]:
    hits, total, errors = 0, 0, []
    for seed in seeds:
        result = simulate(n, seed=seed, transcripts=False)
        for tp, true_rho in result.truth["population"]["spearman_wai_total_nprs"].items():
            x, y = _alliance_vs(result.outcomes, "nprs", tp)
            row = spearman(x, y, ci_method=ci_method).iloc[0]
            hits += row["ci_low"] <= true_rho <= row["ci_high"]
            total += 1
            errors.append(row["rho"] - true_rho)
    return hits / total, float(np.mean(errors))


def test_interval_coverage_over_seeds_fast():
    # 40 studies x 3 time points = 120 intervals; with true coverage .95 the count is 114 +- 2.4,
    # so at least 88% (106) fails only if coverage is really poor.
    coverage, bias = _coverage(range(40), 60, "bonett-wright")
    assert coverage >= 0.88
    assert abs(bias) < 0.06


@pytest.mark.slow
@pytest.mark.parametrize("ci_method", ["bonett-wright", "fisher"])
def test_interval_coverage_over_many_seeds(ci_method):
    # 1000 studies x 3 = 3000 intervals: SE of the coverage is 0.004 at .95.
    coverage, bias = _coverage(range(1000, 2000), 60, ci_method)
    assert 0.93 <= coverage <= 0.975, coverage
    assert abs(bias) < 0.02


@pytest.mark.slow
def test_mixed_model_interval_coverage_over_seeds():
    hits = 0
    seeds = range(200)
    for seed in seeds:
        result = simulate(60, seed=seed, transcripts=False)
        long = result.outcomes.copy()
        wai = long.dropna(subset=["wai_total"]).set_index("participant_id")["wai_total"]
        long["alliance"] = long["participant_id"].map(wai.astype(float))
        coef = mixed_model(long, "nprs ~ C(timepoint) + alliance", group="participant_id") \
            .set_index("term").loc["alliance"]
        truth = result.truth["population"]["lmm_nprs_wai_total_coef"]
        hits += coef["ci_low"] <= truth <= coef["ci_high"]
    assert 0.90 <= hits / len(seeds) <= 0.99


@pytest.mark.parametrize("kwargs", [{"n": 2}, {"rho": 0.95}, {"rho_function": -1.2},
                                    {"alliance_r2": 1.5}, {"timepoints": ["only"]}])
def test_bad_arguments_are_e505(kwargs):
    args = {"n": 10, **kwargs}
    with pytest.raises(StatsError) as info:
        simulate(args.pop("n"), transcripts=False, **args)
    assert info.value.code == "E505"


def test_truth_json_is_written_and_readable(tmp_path):
    simulate(6, tmp_path, seed=1, transcripts=False)
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["rho"] == -0.39 and truth["n"] == 6 and "SIMULATED" in truth["notice"]
    assert not (tmp_path / "transcripts").exists()
