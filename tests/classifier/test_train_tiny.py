"""Train, save, reload and code end to end with a tiny randomly initialised BERT (seconds)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from ta_nlp.codes import CODES
from ta_nlp.errors import CoderError
from ta_nlp.model import UTTERANCE_COLUMNS

torch = pytest.importorskip("torch")

from conftest import TINY_TRAIN
from ta_nlp.classifier import (
    ADAPTER_CONFIG_NAME,
    ADAPTER_WEIGHTS_NAME,
    CARD_NAME,
    CONFIG_NAME,
    HEAD_WEIGHTS_NAME,
    LABELS_NAME,
    METRICS_NAME,
    THRESHOLDS_NAME,
    TOKENIZER_DIR,
)


def _utterances(corpus, tid):
    return corpus[corpus["transcript_id"] == tid][list(UTTERANCE_COLUMNS)].reset_index(drop=True)


def test_saved_folder_has_fixed_files(tiny_model, tiny_base):
    names = {p.name for p in tiny_model.iterdir()}
    assert {CONFIG_NAME, ADAPTER_WEIGHTS_NAME, ADAPTER_CONFIG_NAME, HEAD_WEIGHTS_NAME, LABELS_NAME,
            THRESHOLDS_NAME, METRICS_NAME, CARD_NAME, TOKENIZER_DIR} <= names
    config = json.loads((tiny_model / CONFIG_NAME).read_text())
    assert config["base"]["id"] == str(tiny_base)
    assert config["base"]["kind"] == "path" and len(config["base"]["sha256"]) == 64
    assert config["max_length"] == 128 and config["context_units"] == 2
    assert config["training"]["n_units"] == {"train": 44, "dev": 10, "test": 10}
    assert config["training"]["n_transcripts"] == {"train": 4, "dev": 1, "test": 1}
    assert config["training"]["seed"] == 0 and config["lora"]["r"] == 8
    assert config["train_layers"] == 1
    assert json.loads((tiny_model / LABELS_NAME).read_text()) == list(CODES)
    thresholds = json.loads((tiny_model / THRESHOLDS_NAME).read_text())
    assert list(thresholds) == list(CODES) and all(0 < t < 1 for t in thresholds.values())
    metrics = json.loads((tiny_model / METRICS_NAME).read_text())
    assert set(metrics["test"]["model"]) == {*CODES, "micro", "macro"}
    assert metrics["test"]["model"]["macro"]["support"] == 10
    card = (tiny_model / CARD_NAME).read_text()
    assert "## Test metrics" in card and "| `restating` | 1 |" in card and "## Limits" in card


def test_model_learns_the_training_data(tiny_model, tiny_corpus):
    """Sanity: after a few epochs the tiny model ranks training positives above negatives."""
    from ta_nlp.classifier import ModelCoder
    from ta_nlp.corpus import labelled_mask

    coder = ModelCoder(tiny_model)
    train = tiny_corpus[tiny_corpus["transcript_id"].isin(
        ["tiny01_knee", "tiny02_back", "tiny03_shoulder", "tiny04_ankle"])].reset_index(drop=True)
    rows, scores = coder.scores(train)
    gold = train.iloc[rows][list(CODES)].to_numpy(dtype=bool)
    assert labelled_mask(train).sum() == len(rows) == 44
    assert scores[gold].mean() > scores[~gold].mean() + 0.05


def test_reload_gives_the_metrics_saved_at_training(tiny_model, tiny_corpus):
    from ta_nlp.classifier import ModelCoder
    from ta_nlp.classifier.metrics import prf_table

    coder = ModelCoder(tiny_model)
    test = _utterances(tiny_corpus, "tiny06_hip")
    coded = coder.code_frame(test)
    gold = tiny_corpus[tiny_corpus["transcript_id"] == "tiny06_hip"]
    clin = (gold["role"] == "clinician").to_numpy()
    table = prf_table(gold[list(CODES)].to_numpy()[clin] == 1,
                      coded[list(CODES)].to_numpy()[clin] == 1, CODES).set_index("code")
    saved = json.loads((tiny_model / METRICS_NAME).read_text())["test"]["model"]
    for code in CODES:
        assert table.loc[code, "tp"] == saved[code]["tp"], code
        assert table.loc[code, "fp"] == saved[code]["fp"], code


def test_code_frame_contract(tiny_model, tiny_corpus):
    from ta_nlp.classifier import ModelCoder

    coder = ModelCoder(tiny_model)
    assert coder.name == "model" and coder.config["codes"] == list(CODES)
    assert coder.config["quantize"] is False and len(coder.config["files_sha256"]) == 64
    json.dumps(coder.config)  # JSON-able: it goes into the coding manifest
    frame = _utterances(tiny_corpus, "tiny05_neck")
    frame.index = frame.index + 100  # output rows follow the input's index
    coded = coder.code_frame(frame)
    assert list(coded.columns) == [*CODES, "evidence"]
    assert coded.index.equals(frame.index)
    assert coded[list(CODES)].dtypes.eq("int64").all()
    patient = frame["role"] == "patient"
    assert (coded.loc[patient, list(CODES)] == 0).all().all()
    assert (coded.loc[patient, "evidence"] == "{}").all()
    scores = coder.score_frame(frame)
    for i in frame.index[~patient]:
        evidence = json.loads(coded.loc[i, "evidence"])
        positive = [c for c in CODES if coded.loc[i, c] == 1]
        assert sorted(evidence) == sorted(positive)
        for code in positive:
            (span,) = evidence[code]
            assert span["pattern"] == "model" and span["start"] == 0
            assert span["end"] == len(frame.loc[i, "clean_text"])
            assert span["score"] == pytest.approx(scores.loc[i, f"score_{code}"], abs=1e-4)
            assert span["score"] >= coder.thresholds[code]
    assert scores.loc[patient, [f"score_{c}" for c in CODES]].isna().all().all()


def test_context_changes_the_scores(tiny_model):
    """The unit is read with what came before it: same words, different context, other scores."""
    from ta_nlp.classifier import ModelCoder

    coder = ModelCoder(tiny_model)
    frame = pd.DataFrame({"transcript_id": ["a", "a", "b", "b"],
                          "role": ["patient", "clinician", "patient", "clinician"],
                          "text": ["It hurts on the stairs.", "The stairs.",
                                   "I rolled my ankle at football.", "The stairs."]})
    _, scores = coder.scores(frame)
    assert not np.allclose(scores[0], scores[1])


def test_training_is_reproducible(tiny_model, tiny_data, tiny_base, tmp_path):
    from safetensors.torch import load_file

    from ta_nlp.classifier import train

    again = train(tiny_data, tmp_path / "again", base=str(tiny_base), **TINY_TRAIN)
    for name in (HEAD_WEIGHTS_NAME, ADAPTER_WEIGHTS_NAME):
        a, b = load_file(str(tiny_model / name)), load_file(str(again / name))
        assert a.keys() == b.keys()
        for key in a:
            assert torch.equal(a[key], b[key]), (name, key)
    assert (tiny_model / THRESHOLDS_NAME).read_text() == (again / THRESHOLDS_NAME).read_text()


def test_split_encoder_matches_the_full_forward(tiny_base):
    """Caching the frozen bottom layers and running the top ones from ``inputs_embeds`` gives
    the same hidden states as one full forward pass (the basis of ``train_layers``)."""
    from ta_nlp.classifier.inference import build_encoder
    from ta_nlp.classifier.network import add_lora, layer_slice, layer_stack

    torch.manual_seed(1)
    encoder = add_lora(build_encoder(tiny_base), 4, 8, 0.0, "tiny", layers=[1]).eval()
    with torch.no_grad():  # make the adapter non-trivial
        for name, param in encoder.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.5)
    ids = torch.randint(5, 60, (3, 12))
    attention = torch.ones_like(ids)
    attention[1, 9:] = 0
    attention[2, 4:] = 0
    types = torch.zeros_like(ids)
    types[:, 6:] = 1
    model, layers = layer_stack(encoder)
    with torch.no_grad():
        full = encoder(input_ids=ids, attention_mask=attention,
                       token_type_ids=types).last_hidden_state
        with layer_slice(model, layers, 0, 1) as bottom:
            hidden = bottom(input_ids=ids, attention_mask=attention,
                            token_type_ids=types).last_hidden_state
        hidden = hidden * attention.unsqueeze(-1)  # the cache keeps real tokens only
        with layer_slice(model, layers, 1, 2) as top:
            split = top(inputs_embeds=hidden, attention_mask=attention).last_hidden_state
    real = attention.bool()
    assert torch.allclose(full[real], split[real], atol=1e-5)
    assert len(model.encoder.layer) == 2  # restored


def test_adapters_sit_on_the_trained_layers(tiny_model, tiny_data, tiny_base, tmp_path):
    from safetensors.torch import load_file

    from ta_nlp.classifier import train

    top_only = load_file(str(tiny_model / ADAPTER_WEIGHTS_NAME))
    assert top_only and all(".layer.1." in key for key in top_only)
    full = train(tiny_data, tmp_path / "full", base=str(tiny_base),
                 **{**TINY_TRAIN, "epochs": 1, "train_layers": None})
    keys = load_file(str(full / ADAPTER_WEIGHTS_NAME))
    assert any(".layer.0." in k for k in keys) and any(".layer.1." in k for k in keys)
    assert json.loads((full / CONFIG_NAME).read_text())["train_layers"] == 2


def test_quantized_scores_are_close(tiny_model, tiny_corpus):
    from ta_nlp.classifier import ModelCoder

    frame = _utterances(tiny_corpus, "tiny04_ankle")
    _, fp32 = ModelCoder(tiny_model).scores(frame)
    _, int8 = ModelCoder(tiny_model, quantize=True).scores(frame)
    assert fp32.shape == int8.shape == (10, len(CODES))
    assert np.abs(fp32 - int8).max() < 0.05


def test_tampered_base_is_refused(tiny_model, tiny_base, tmp_path):
    from ta_nlp.classifier import load_model

    copy = tmp_path / "base-copy"
    shutil.copytree(tiny_base, copy)
    weights = copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(CoderError) as info:
        load_model(tiny_model, base=copy)
    assert info.value.code == "E304" and "trained on" in info.value.message


def test_unusable_model_folders(tiny_model, tmp_path):
    from ta_nlp.classifier import load_model

    with pytest.raises(CoderError) as info:
        load_model(tmp_path / "nothing")
    assert info.value.code == "E303"
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / THRESHOLDS_NAME).unlink()
    with pytest.raises(CoderError) as info:
        load_model(broken)
    assert info.value.code == "E303" and THRESHOLDS_NAME in info.value.message
    shutil.copytree(tiny_model, broken, dirs_exist_ok=True)
    (broken / LABELS_NAME).write_text(json.dumps(list(CODES)[:9]))
    with pytest.raises(CoderError) as info:
        load_model(broken)
    assert info.value.code == "E303" and "labels.json" in info.value.message


def test_output_folder_rules(tiny_data, tiny_base, tiny_model, tmp_path):
    from ta_nlp.classifier import train

    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine")
    with pytest.raises(CoderError) as info:
        train(tiny_data, occupied, base=str(tiny_base), **TINY_TRAIN)
    assert info.value.code == "E321" and "not a model" in info.value.message
    with pytest.raises(CoderError) as info:
        train(tiny_data, tiny_model, base=str(tiny_base), **TINY_TRAIN)
    assert info.value.code == "E321" and "--force" in info.value.message
    with pytest.raises(CoderError) as info:
        train(tiny_data, tmp_path / "x", base=str(tiny_base), **{**TINY_TRAIN, "epochs": 0})
    assert info.value.code == "E323"
    with pytest.raises(CoderError) as info:
        train(tiny_data, tmp_path / "x", base=str(tmp_path / "no-such-base"), **TINY_TRAIN)
    assert info.value.code == "E322"
