"""Evaluation metrics against independent reference values (provenance next to each number)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ta_nlp.codes import CODES
from ta_nlp.errors import TaNlpError
from ta_nlp.evaluation import (
    AGREEMENT_COLUMNS, ENCOUNTER_COLUMNS, UNIT_COLUMNS, agreement, cohen_kappa, evaluate,
    krippendorff_alpha_nominal, load_labels,
)


def _cohen_table(yy: int, yn: int, ny: int, nn: int) -> tuple[np.ndarray, np.ndarray]:
    a = np.array([1] * yy + [1] * yn + [0] * ny + [0] * nn)
    b = np.array([1] * yy + [0] * yn + [1] * ny + [0] * nn)
    return a, b


def test_cohen_kappa_worked_example():
    # Worked example in Cohen's kappa article (Wikipedia, "Simple example"): 50 proposals,
    # both yes 20, A yes/B no 5, A no/B yes 10, both no 15: p_o = 0.7, p_e = 0.5, kappa = 0.4.
    a, b = _cohen_table(20, 5, 10, 15)
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_cohen_kappa_undefined_when_constant():
    assert np.isnan(cohen_kappa(np.zeros(5), np.zeros(5)))


def test_krippendorff_alpha_matches_reference_package():
    krippendorff = pytest.importorskip("krippendorff")
    rng = np.random.default_rng(3)
    a = rng.integers(0, 2, 200)
    b = np.where(rng.random(200) < 0.8, a, 1 - a)
    ours = krippendorff_alpha_nominal(a, b)
    ref = krippendorff.alpha(reliability_data=np.vstack([a, b]).astype(float),
                             level_of_measurement="nominal")
    assert ours == pytest.approx(ref, abs=1e-12)


def test_krippendorff_alpha_hand_computed():
    # Hand computation: units (1,1),(1,0),(0,0),(0,0); n = 8 values, n_1 = 3, n_0 = 5.
    # D_o: 2 disagreeing ordered pairs; alpha = 1 - (n-1) * 2 / (2 * n_1 * n_0) = 1 - 14/30.
    assert krippendorff_alpha_nominal(np.array([1, 1, 0, 0]), np.array([1, 0, 0, 0])) == \
        pytest.approx(1 - 14 / 30)


def _labels(rows: list[tuple[str, str, list[str]]]) -> pd.DataFrame:
    data = []
    for tid, uid, codes in rows:
        data.append({"transcript_id": tid, "utterance_id": uid,
                     **{c: int(c in codes) for c in CODES}})
    return pd.DataFrame(data)


def test_evaluate_counts_and_columns(tmp_path):
    gold = _labels([("t1", "u1", ["restating"]), ("t1", "u2", ["restating", "empathy"]),
                    ("t1", "u3", []), ("t2", "u1", ["restating"]), ("t2", "u2", ["humour"])])
    pred = _labels([("t1", "u1", ["restating"]), ("t1", "u2", ["empathy"]),
                    ("t1", "u3", ["restating"]), ("t2", "u1", ["restating"]), ("t2", "u2", [])])
    result = evaluate(gold, pred, out=tmp_path, n_boot=50)
    units = result.units.set_index("code")
    assert tuple(result.units.columns) == UNIT_COLUMNS
    assert tuple(result.encounters.columns) == ENCOUNTER_COLUMNS
    # restating: gold 3 (t1u1, t1u2, t2u1), pred 3 (t1u1, t1u3, t2u1): tp 2, fp 1, fn 1.
    r = units.loc["restating"]
    assert (r.tp, r.fp, r.fn, r.support) == (2, 1, 1, 3)
    assert r.precision == pytest.approx(2 / 3) and r.f1 == pytest.approx(2 / 3)
    assert units.loc["empathy", "f1"] == pytest.approx(1.0)
    assert units.loc["humour", "recall"] == pytest.approx(0.0)
    # micro: tp 3 (restating 2, empathy 1), fp 1, fn 2 (restating, humour) -> F1 = 6 / 9.
    assert units.loc["micro", "f1"] == pytest.approx(6 / 9)
    assert {"units.csv", "encounters.csv", "report.md"} <= {p.name for p in tmp_path.iterdir()}
    assert "| restating |" in (tmp_path / "report.md").read_text()


def test_evaluate_reads_code_output_and_keeps_clinician_rows(tmp_path):
    gold = _labels([("t1", "t1-0000", ["listening"]), ("t1", "t1-0002", [])])
    pred = pd.DataFrame({
        "transcript_id": ["t1"] * 3, "utterance_id": ["t1-0000", "t1-0001", "t1-0002"],
        "role": ["clinician", "patient", "clinician"], **{c: [0, 0, 0] for c in CODES}})
    pred.loc[0, "listening"] = 1
    path = tmp_path / "utterances.csv"
    pred.to_csv(path, index=False)
    assert len(load_labels(path)) == 2
    result = evaluate(gold, path, n_boot=20)
    assert result.n_units == 2
    assert result.units.set_index("code").loc["listening", "f1"] == pytest.approx(1.0)


def test_evaluate_no_overlap_is_a_clear_error():
    gold = _labels([("t1", "a", [])])
    pred = _labels([("t2", "b", [])])
    with pytest.raises(TaNlpError, match="E402"):
        evaluate(gold, pred, n_boot=10)


def test_bad_label_value_names_row(tmp_path):
    path = tmp_path / "labels.csv"
    frame = _labels([("t1", "a", []), ("t1", "b", [])])
    frame["humour"] = frame["humour"].astype(object)
    frame.loc[1, "humour"] = "yes"
    frame.to_csv(path, index=False)
    with pytest.raises(TaNlpError) as info:
        load_labels(path)
    assert info.value.line == 3 and "humour" in info.value.message


def test_encounter_spearman_and_bootstrap_interval():
    rng = np.random.default_rng(0)
    rows_g, rows_p = [], []
    for t in range(12):
        for u in range(30):
            g = rng.random() < (t + 1) / 15
            p = g if rng.random() < 0.9 else not g
            rows_g.append((f"t{t}", f"u{u}", ["education"] if g else []))
            rows_p.append((f"t{t}", f"u{u}", ["education"] if p else []))
    result = evaluate(_labels(rows_g), _labels(rows_p), n_boot=200, seed=1)
    enc = result.encounters.set_index("code").loc["education"]
    assert enc.spearman_rho > 0.8
    assert enc.rho_ci_low <= enc.spearman_rho <= enc.rho_ci_high
    f1 = result.units.set_index("code").loc["education"]
    assert f1.f1_ci_low <= f1.f1 <= f1.f1_ci_high


def test_agreement_table(tmp_path):
    a = _labels([("t", str(i), ["restating"] if i < 20 else []) for i in range(50)])
    b = _labels([("t", str(i), ["restating"] if i < 15 or 40 <= i < 45 else [])
                 for i in range(50)])
    table = agreement(a, b, out=tmp_path)
    assert tuple(table.columns) == AGREEMENT_COLUMNS
    row = table.set_index("code").loc["restating"]
    # 2x2: both yes 15, a yes/b no 5, a no/b yes 5, both no 25 -> p_o 0.8, p_e 0.52.
    assert row.kappa == pytest.approx((0.8 - 0.52) / 0.48)
    assert (tmp_path / "agreement.md").exists()


def test_cli_evaluate_prints_error_not_traceback(tmp_path, capsys):
    from ta_nlp.cli import run_app

    code = run_app(["evaluate", "--gold", str(tmp_path / "missing.csv"), "--pred",
                    str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o")])
    assert code == 1
    assert "E001" in capsys.readouterr().err
