"""ta-nlp run end to end: transcripts -> coded -> analysis -> report.html."""

from __future__ import annotations

import pandas as pd
import pytest

from ta_nlp.cli import run_app
from ta_nlp.simulate import simulate


def test_cli_run_on_a_simulated_study(tmp_path, capsys):
    pytest.importorskip("ta_nlp.rules")
    simulate(6, tmp_path / "sim", seed=12)
    out = tmp_path / "run"
    code = run_app(["run", str(tmp_path / "sim" / "transcripts"), "--outcomes",
                    str(tmp_path / "sim" / "outcomes.csv"), "--out", str(out), "--resamples", "0"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "linked 6 of 6 participants" in captured.out
    assert f"Report: {out / 'report.html'}" in captured.out.replace("\n", "")
    encounters = pd.read_csv(out / "coded" / "encounters.csv")
    assert sorted(encounters["transcript_id"]) == [f"sim{i:03d}" for i in range(1, 7)]
    truth = pd.read_csv(tmp_path / "sim" / "encounters_truth.csv")
    assert encounters.set_index("transcript_id")["n_clinician_units"].to_dict() == \
        truth.set_index("transcript_id")["n_clinician_units"].to_dict()
    assert (out / "analysis" / "tables" / "alliance_outcomes.csv").exists()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('<details class="encounter"') == 6
    assert "ta_behaviour_ruler" in page or '"factory"' in page  # coder configuration shown


def test_bad_outcomes_fail_before_coding(tmp_path, capsys):
    simulate(4, tmp_path / "sim", seed=1)
    bad = tmp_path / "bad.csv"
    bad.write_text("participant_id,transcript_id,timepoint,nprs\nP001,sim001,pre_eval,14\n")
    code = run_app(["run", str(tmp_path / "sim" / "transcripts"), "--outcomes", str(bad),
                    "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code == 1 and "E502" in err and "nprs = 14" in err
    assert not (tmp_path / "run" / "coded").exists()


def test_run_on_the_bundled_example_study(examples_dir, tmp_path):
    outcomes = examples_dir / "outcomes.csv"
    transcripts = examples_dir / "transcripts"
    if not (outcomes.exists() and transcripts.exists()):
        pytest.skip("the bundled example study (data/examples) is not there")
    pytest.importorskip("ta_nlp.rules")
    from ta_nlp.pipeline import run

    result = run([transcripts], outcomes, tmp_path / "example", n_resamples=0,
                 roles_file=examples_dir / "roles.csv")
    assert result.n_failed == 0
    settings = result.analysis.settings
    assert (settings["n_participants"], settings["n_encounters"], settings["n_linked"]) == (12,
                                                                                           12, 12)
    assert result.analysis.tables["linkage"].empty
    ao = result.analysis.tables["alliance_outcomes"]
    assert set(ao["timepoint"]) == {"pre_eval", "post_eval", "follow_up"} and (ao["n"] == 12).all()
    page = result.report.read_text(encoding="utf-8")
    assert page.count('<details class="encounter"') == 12
    assert 'id="encounter-ex08_knee_warm"' in page  # the TextGrid pair is one encounter
