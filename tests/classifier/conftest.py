"""Fixtures for the classifier tests: a tiny hand-written corpus, a tiny random BERT, and one tiny
model trained on them (once per session, in about a second)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from tiny_corpus import write_corpus, write_tiny_base

# train_layers=1: adapters on the top layer only, so the cached-bottom path is exercised.
TINY_TRAIN = {"epochs": 8, "batch_size": 8, "learning_rate": 1e-2, "seed": 0, "train_layers": 1,
                  "tune_with_rules": False}


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    """Tiny matrices gain nothing from threads, and on a busy 2-core machine OpenMP threads
    contend; one thread keeps these tests fast and their timing steady."""
    try:
        import torch
    except ImportError:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("tiny") / "annotated")


@pytest.fixture(scope="session")
def tiny_corpus(tiny_data):
    from ta_nlp.corpus import load_corpus

    return load_corpus(tiny_data)


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory, tiny_corpus) -> Path:
    pytest.importorskip("torch")
    return write_tiny_base(tmp_path_factory.mktemp("base") / "tiny-bert", list(tiny_corpus["text"]))


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, tiny_data, tiny_base) -> Path:
    from ta_nlp.classifier import train

    out = tmp_path_factory.mktemp("models") / "tiny"
    return train(tiny_data, out, base=str(tiny_base), **TINY_TRAIN)
