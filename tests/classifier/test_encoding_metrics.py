"""Model inputs (text pairs with left-truncated context) and the numpy metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ta_nlp.classifier.ensemble import combine, tune_thresholds
from ta_nlp.classifier.metrics import METRIC_COLUMNS, prf_table, tune_threshold

pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def tokenizer(tiny_base):
    from ta_nlp.classifier.inference import load_tokenizer

    return load_tokenizer(tiny_base)


def _frame():
    return pd.DataFrame({
        "transcript_id": ["a", "a", "b", "a", "a"],
        "role": ["clinician", "patient", "clinician", "patient", "clinician"],
        "text": ["Hello there.", "My knee hurts [laughs].", "Hi.", "On stairs.", "Stairs, okay."],
    })


def test_unit_context_uses_preceding_units_of_the_same_transcript():
    from ta_nlp.classifier.encoding import unit_context

    frame = _frame()
    units, contexts = unit_context(frame, np.array([0, 2, 4]), context_units=2)
    assert units == ["Hello there.", "Hi.", "Stairs, okay."]
    assert contexts == ["", "", "patient: My knee hurts [laughs]. patient: On stairs."]
    _, contexts = unit_context(frame, np.array([4]), context_units=1)
    assert contexts == ["patient: On stairs."]
    _, contexts = unit_context(frame, np.array([4]), context_units=0)
    assert contexts == [""]


def test_encode_pairs_truncates_the_context_from_the_left(tokenizer):
    from ta_nlp.classifier.encoding import encode_pairs

    unit = "how long has your knee been bothering you and does it wake you at night"
    context = "it hurts going down stairs and it clicks like an old door"
    enc = encode_pairs(tokenizer, [unit, unit, "okay"], [context, "", context], max_length=16)
    unit_ids = tokenizer(unit, add_special_tokens=False)["input_ids"]
    ctx_ids = tokenizer(context, add_special_tokens=False)["input_ids"]
    assert tokenizer.unk_token_id not in unit_ids + ctx_ids
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    # budget 13: a long unit leaves the context 13 // 4 = 3 tokens, its *last* ones
    assert enc.input_ids[0] == [cls, *ctx_ids[-3:], sep, *unit_ids[:10], sep]
    assert enc.token_type_ids[0] == [0] * 5 + [1] * 11
    assert enc.unit_mask[0] == [0] * 5 + [1] * 10 + [0]
    # without context: [CLS] unit [SEP], truncated to max_length
    assert enc.input_ids[1] == [cls, *unit_ids[:14], sep]
    assert enc.unit_mask[1] == [0] + [1] * 14 + [0]
    # a short unit leaves the rest of the budget to the context
    okay = tokenizer("okay", add_special_tokens=False)["input_ids"]
    assert enc.input_ids[2] == [cls, *ctx_ids[-(13 - len(okay)):], sep, *okay, sep]


def test_prf_table_hand_computed():
    gold = np.array([[1, 0], [1, 0], [0, 0], [1, 1]])
    pred = np.array([[1, 1], [0, 0], [1, 0], [1, 1]])
    table = prf_table(gold, pred, ["a", "b"]).set_index("code")
    assert tuple(table.reset_index().columns) == METRIC_COLUMNS
    # a: tp 2, fp 1, fn 1 -> P 2/3, R 2/3, F1 2/3; b: tp 1, fp 1, fn 0 -> P 1/2, R 1, F1 2/3
    assert table.loc["a", ["tp", "fp", "fn", "support", "n_pred"]].tolist() == [2, 1, 1, 3, 3]
    assert table.loc["a", "f1"] == pytest.approx(2 / 3)
    assert table.loc["b", "precision"] == pytest.approx(0.5)
    assert table.loc["b", "f1"] == pytest.approx(2 / 3)
    # micro: tp 3, fp 2, fn 1 -> P 3/5, R 3/4, F1 2/3
    assert table.loc["micro", "f1"] == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    assert table.loc["macro", "f1"] == pytest.approx(2 / 3)


def test_macro_skips_codes_without_gold_positives():
    gold = np.array([[1, 0], [0, 0]])
    pred = np.array([[1, 0], [0, 0]])
    table = prf_table(gold, pred, ["a", "b"]).set_index("code")
    assert table.loc["b", "f1"] == 0.0
    assert table.loc["macro", "f1"] == 1.0


def test_tune_threshold_picks_the_best_f1():
    gold = np.array([1, 1, 0, 0, 1, 0])
    scores = np.array([0.9, 0.35, 0.3, 0.1, 0.6, 0.5])
    # any threshold in (0.30, 0.35] separates perfectly; ties go to the one closest to 0.5
    assert tune_threshold(gold, scores) == pytest.approx(0.35)
    assert tune_threshold(np.zeros(4), np.linspace(0, 1, 4)) == 0.5


def test_ensemble_combination():
    scores = np.array([[0.9], [0.4], [0.4], [0.1], [0.45]])
    fired = np.array([[0], [1], [1], [1], [0]])
    nan = np.array([np.nan])
    t = np.array([0.5])
    assert combine(scores, fired, t, nan)[:, 0].tolist() == [1, 0, 0, 0, 0]      # model alone
    assert combine(scores, fired, t, np.array([0.3]))[:, 0].tolist() == [1, 1, 1, 0, 0]
    assert combine(scores, fired, nan, np.array([0.0]))[:, 0].tolist() == [0, 1, 1, 1, 0]  # rules


def test_ensemble_tuning_hand_worked():
    scores = np.array([[0.9], [0.4], [0.4], [0.1], [0.45]])
    fired = np.array([[0], [1], [1], [1], [0]])
    gold = np.array([[1], [1], [1], [0], [0]])
    # model alone at 0.5: F1 0.5. Perfect: model_threshold in (0.45, 0.9] and rule_threshold in
    # (0.1, 0.4]; the search goes upwards from 0 and keeps the first best: 0.46 and 0.12.
    alone, rule = tune_thresholds(gold, scores, fired, np.array([0.5]))
    assert (alone[0], rule[0]) == (0.46, 0.12)
    # the model is wrong, the rules are right: the model never decides alone (above 0.9), the
    # rules decide (rule threshold 0)
    anti = np.array([[0.1], [0.2], [0.3], [0.9], [0.8]])
    alone, rule = tune_thresholds(gold, anti, gold, np.array([0.5]))
    assert (alone[0], rule[0]) == (0.92, 0.0)
    assert combine(anti, gold, alone, rule)[:, 0].tolist() == [1, 1, 1, 0, 0]
    # no gain over the model alone: unchanged, rules unused
    alone, rule = tune_thresholds(np.array([[1], [0], [0], [0], [0]]), scores, fired,
                                  np.array([0.5]))
    assert alone[0] == 0.5 and np.isnan(rule[0])
