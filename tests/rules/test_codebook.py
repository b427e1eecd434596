"""docs/codebook.md cannot drift: every pattern id and contextual id is documented, and the codes
and decision rules are the shared design codebook's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ta_nlp.codes import CODES
from ta_nlp.rules import load_patterns

ROOT = Path(__file__).resolve().parents[2]
CODEBOOK = ROOT / "docs" / "codebook.md"
SHARED = ROOT.parent / "shared" / "design" / "codebook.md"


@pytest.fixture(scope="module")
def text() -> str:
    return CODEBOOK.read_text(encoding="utf-8")


def test_every_code_has_a_section(text):
    for code in CODES:
        assert f"### `{code}`" in text, code


def test_every_pattern_id_is_documented(text):
    for record in load_patterns().records:
        section = text.split(f"### `{record.label}`", 1)[1].split("\n### ", 1)[0]
        name = record.id.split(".", 1)[1]
        assert f"`{name}`" in section, record.id


def test_every_contextual_id_is_documented(text):
    logic = (ROOT / "src" / "ta_nlp" / "rules" / "logic.py").read_text(encoding="utf-8")
    ids = set(re.findall(r'"([a-z_]+\.ctx_[a-z_]+)"', logic))
    ids |= {f"information_gathering.ctx_{q}_question" for q in ("wh", "aux", "any", "declarative")}
    assert len(ids) >= 12
    for pid in ids:
        assert pid in text or pid.split(".", 1)[1] in text, pid


def test_codes_and_decision_rules_follow_the_shared_codebook(text):
    if not SHARED.exists():
        pytest.skip(f"{SHARED} is absent")
    shared = SHARED.read_text(encoding="utf-8")
    table = [line for line in shared.splitlines() if line.startswith("| `")]
    assert len(table) == len(CODES)
    for line in table:
        assert line in text
    rules = shared.split("## Decision rules", 1)[1]
    for bullet in re.split(r"\n- ", rules)[1:]:
        assert " ".join(bullet.split()) in " ".join(text.split())
