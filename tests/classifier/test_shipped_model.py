"""The shipped model ``models/default``: small enough for git, verified base, accuracy recorded at
training time, and it codes obvious units as the codebook says. Loads the 90 MB base once."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ta_nlp.classifier import CONFIG_NAME, METRICS_NAME, default_model_dir
from ta_nlp.classifier.base import DEFAULT_BASE, DEFAULT_BASE_SHA256
from ta_nlp.codes import CODES

MODEL = default_model_dir()
pytestmark = pytest.mark.skipif(not (MODEL / CONFIG_NAME).is_file(),
                                reason=f"no shipped model at {MODEL}")


def test_folder_is_small_and_names_the_verified_base():
    size = sum(p.stat().st_size for p in MODEL.rglob("*") if p.is_file())
    assert size <= 20 * 1024 * 1024, f"models/default is {size / 2**20:.1f} MiB"
    config = json.loads((MODEL / CONFIG_NAME).read_text())
    assert config["base"]["id"] == DEFAULT_BASE
    assert config["base"]["sha256"] == DEFAULT_BASE_SHA256
    assert config["codes"] == list(CODES)


def test_recorded_test_accuracy_rules_model_ensemble():
    """The acceptance criteria of the issue, on the numbers measured when the model was trained:
    the model beats the rules on test macro-F1 and the ensemble is at least as good as either."""
    metrics = json.loads((MODEL / METRICS_NAME).read_text())
    test = metrics["macro_f1"]["test"]
    assert test["model"] > test["rules"]
    assert test["ensemble"] >= max(test["model"], test["rules"])
    assert metrics["test"]["model"]["macro"]["support"] > 500


@pytest.fixture(scope="module")
def coder():
    pytest.importorskip("torch")
    from ta_nlp.classifier import ModelCoder

    return ModelCoder()  # None: the shipped folder


# Written for this test: one short PT exchange with clear-cut units.
EXCHANGE = [
    ("patient", "My lower back has been killing me since I moved house."),
    ("clinician", "How long ago was the move?", "information_gathering"),
    ("patient", "About three weeks. And it's worse first thing in the morning."),
    ("clinician", "Mm-hmm.", "listening"),
    ("patient", "I can barely put my socks on."),
    ("clinician", "That sounds really tough, I'm sorry.", "empathy"),
    ("patient", "It is."),
    ("clinician", "Now I'm going to have a look at how your back moves.", "transition"),
    ("clinician", "I'm going to press gently along your spine, tell me if anything is sore.", "touch"),
    ("patient", "Ow, just there."),
    ("clinician", ("Pain is your body's alarm system, and at the moment the alarm is extra "
                  "sensitive, so hurting doesn't mean you're damaging anything."), "pain_education"),
]


def test_codes_clear_cut_units(coder):
    frame = pd.DataFrame({
        "transcript_id": "bench", "utterance_id": [f"u{i}" for i in range(len(EXCHANGE))],
        "speaker": [e[0] for e in EXCHANGE], "role": [e[0] for e in EXCHANGE],
        "start": float("nan"), "end": float("nan"), "text": [e[1] for e in EXCHANGE],
        "clean_text": [e[1] for e in EXCHANGE]})
    coded = coder.code_frame(frame)
    expected = [(i, e[2]) for i, e in enumerate(EXCHANGE) if len(e) == 3]
    hits = [(i, code) for i, code in expected if coded.loc[i, code] == 1]
    assert len(hits) == len(expected), f"missed {sorted(set(expected) - set(hits))}"
    assert (coded.loc[frame["role"] == "patient", list(CODES)] == 0).all().all()
