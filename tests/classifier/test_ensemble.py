"""Rules + model ensemble: tuning on dev, comparison on test, and the coder contract."""

from __future__ import annotations

import json
import re
import shutil
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from ta_nlp.codes import CODES
from ta_nlp.errors import CoderError
from ta_nlp.model import UTTERANCE_COLUMNS

pytest.importorskip("torch")

from ta_nlp.classifier import ENSEMBLE_NAME, METRICS_NAME


class KeywordRules:
    """A stand-in rule coder with the RuleCoder contract (keyword cues; evidence spans)."""

    name = "rules"
    config: ClassVar[dict] = {}
    CUES: ClassVar[dict[str, str]] = {"touch": r"\b(press|feel|hands|hold)\b", "empathy": r"\bsorry\b|sounds",
            "information_gathering": r"\?$", "listening": r"^(mm-hmm|mm|uh-huh)"}

    def code_frame(self, df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        codes = np.zeros((len(df), len(CODES)), dtype=int)
        evidence = []
        for i, (role, text) in enumerate(zip(df["role"], df["clean_text"])):
            found = {}
            if role == "clinician":
                for code, cue in self.CUES.items():
                    match = re.search(cue, text.lower())
                    if match:
                        codes[i, CODES.index(code)] = 1
                        found[code] = [{"pattern": f"{code}.kw", "start": match.start(),
                                        "end": match.end()}]
            evidence.append(json.dumps(found))
        for j, code in enumerate(CODES):
            out[code] = codes[:, j]
        out["evidence"] = evidence
        return out


@pytest.fixture(scope="module")
def tuned(tiny_model, tiny_data, tmp_path_factory):
    from ta_nlp.classifier import tune_ensemble

    folder = tmp_path_factory.mktemp("ens") / "tiny"
    shutil.copytree(tiny_model, folder)
    ensemble = tune_ensemble(folder, data=tiny_data, rules=KeywordRules())
    return folder, ensemble


def test_tuning_writes_parameters_and_comparison(tuned):
    folder, ensemble = tuned
    assert json.loads((folder / ENSEMBLE_NAME).read_text()) == ensemble
    assert list(ensemble["codes"]) == list(CODES)
    for code, params in ensemble["codes"].items():
        m, r = params["model_threshold"], params["rule_threshold"]
        assert m is None or 0 <= m <= 1
        if r is not None:
            assert code in KeywordRules.CUES  # rules can only help where they fire
            assert r <= (1 if m is None else m)
    metrics = json.loads((folder / METRICS_NAME).read_text())
    for split in ("dev", "test"):
        assert set(metrics[split]) == {"rules", "model", "ensemble"}
        assert set(metrics["macro_f1"][split]) == {"rules", "model", "ensemble"}
    # on dev, where it was tuned from the model alone, the ensemble is never worse than the model
    assert metrics["macro_f1"]["dev"]["ensemble"] >= metrics["macro_f1"]["dev"]["model"]
    assert metrics["most_accurate_coder_on_test"] in ("rules", "model", "ensemble")
    card = (folder / "README.md").read_text()
    assert "rules vs model vs ensemble" in card


def test_ensemble_coder_contract(tuned, tiny_corpus):
    from ta_nlp.classifier import EnsembleCoder, ModelCoder

    folder, ensemble = tuned
    frame = tiny_corpus[tiny_corpus["transcript_id"] == "tiny06_hip"][
        list(UTTERANCE_COLUMNS)].reset_index(drop=True)
    coder = EnsembleCoder(folder, rules=KeywordRules())
    assert coder.name == "ensemble"
    coded = coder.code_frame(frame)
    assert list(coded.columns) == [*CODES, "evidence"]
    assert coder.config["ensemble"] == ensemble["codes"]
    scores = ModelCoder(folder).score_frame(frame)
    ruled = KeywordRules().code_frame(frame)
    clinician = frame["role"] == "clinician"
    for i in range(len(frame)):
        evidence = json.loads(coded.loc[i, "evidence"])
        assert sorted(evidence) == sorted(c for c in CODES if coded.loc[i, c] == 1)
        for code in CODES:
            params = ensemble["codes"][code]
            p = scores.loc[i, f"score_{code}"]
            expected = clinician[i] and (
                (params["model_threshold"] is not None and p >= params["model_threshold"])
                or (ruled.loc[i, code] == 1 and params["rule_threshold"] is not None
                    and p >= params["rule_threshold"]))
            assert coded.loc[i, code] == int(expected), (i, code)
            if code in evidence:
                pattern = f"{code}.kw" if ruled.loc[i, code] == 1 else "model"
                assert evidence[code][0]["pattern"] == pattern


def test_ensemble_needs_tuned_parameters(tiny_model):
    from ta_nlp.classifier import EnsembleCoder

    with pytest.raises(CoderError) as info:
        EnsembleCoder(tiny_model, rules=KeywordRules())
    assert info.value.code == "E303" and "ensemble.json" in info.value.message
