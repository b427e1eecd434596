"""Pattern files: schema, ids, loading errors (E301 with file:line), user folders, the matcher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rules_helpers import frame, spacy_matcher

from ta_nlp.codes import CODES
from ta_nlp.errors import CoderError
from ta_nlp.rules import RuleCoder, load_patterns
from ta_nlp.rules.patterns import KINDS, SCHEMA


@pytest.fixture(scope="module")
def package_patterns():
    return load_patterns()


def test_one_file_per_code_in_the_package(package_patterns):
    assert sorted(package_patterns.hashes) == sorted(CODES)
    labels = {r.label for r in package_patterns.records}
    assert labels == set(CODES)


def test_every_line_passes_the_schema():
    from importlib import resources

    import jsonschema

    validator = jsonschema.Draft7Validator(SCHEMA)
    folder = resources.files("ta_nlp.rules") / "patterns"
    n = 0
    for code in CODES:
        for number, line in enumerate((folder / f"{code}.jsonl").read_text().splitlines(), 1):
            obj = json.loads(line)
            errors = list(validator.iter_errors(obj))
            assert not errors, f"{code}.jsonl:{number}: {errors[0].message}"
            assert obj["label"] == code
            assert obj["id"].startswith(code + ".")
            n += 1
    assert n > 300


def test_ids_are_unique_and_every_code_has_cues(package_patterns):
    ids = [r.id for r in package_patterns.records]
    assert len(ids) == len(set(ids))
    for code in CODES:
        kinds = {r.kind for r in package_patterns.records if r.label == code}
        assert "cue" in kinds, code
        assert kinds <= set(KINDS)


def test_hashes_are_sha256_of_the_files(package_patterns):
    import hashlib
    from importlib import resources

    folder = resources.files("ta_nlp.rules") / "patterns"
    for code, digest in package_patterns.hashes.items():
        text = (folder / f"{code}.jsonl").read_text(encoding="utf-8")
        assert digest == hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write(folder: Path, code: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{code}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = '{"id": "touch.press", "label": "touch", "pattern": [{"LOWER": "press"}]}'


@pytest.mark.parametrize("bad_line, expected", [
    ('{"id": "touch.x", "label": "touch", "pattern": [{"LOWER": "feel"}', "invalid JSON"),
    ('{"id": "touch.x", "label": "touch"}', "pattern"),
    ('{"id": "touch.x", "label": "touch", "phrase": "feel", "pattern": [{"LOWER": "x"}]}',
     "pattern"),
    ('{"id": "touch.x", "label": "humour", "phrase": "feel"}', "expected label 'touch'"),
    ('{"id": "empathy.x", "label": "touch", "phrase": "feel"}', "expected an id starting with"),
    ('{"id": "touch.ctx_x", "label": "touch", "phrase": "feel"}', "reserved"),
    ('{"id": "touch.x", "label": "touch", "phrase": "feel", "kind": "maybe"}', "kind"),
    ('{"id": "touch.x", "label": "touch", "phrase": "feel", "colour": "red"}', "colour"),
    ('{"id": "touch.x", "label": "touch", "pattern": [{"LOWER": "a", "OP": "~"}]}',
     "spaCy rejected"),
    ('{"id": "touch.press", "label": "touch", "phrase": "press"}', "duplicate pattern id"),
])
def test_a_bad_line_raises_E301_with_its_line(tmp_path, bad_line, expected):
    path = _write(tmp_path / "pats", "touch", [GOOD, "", bad_line])
    with pytest.raises(CoderError) as info:
        RuleCoder(patterns_dir=tmp_path / "pats")
    err = info.value
    assert err.code == "E301"
    assert err.line == 3
    assert err.path.endswith("touch.jsonl") and str(path) in err.message
    assert "touch.jsonl:3" in err.message
    assert expected in err.message


def test_a_file_not_named_after_a_code_is_rejected(tmp_path):
    _write(tmp_path / "pats", "tuch", [GOOD.replace("touch", "tuch")])
    with pytest.raises(CoderError) as info:
        load_patterns(tmp_path / "pats")
    assert info.value.code == "E301" and "tuch.jsonl" in info.value.message


def test_a_missing_folder_is_reported(tmp_path):
    with pytest.raises(CoderError) as info:
        load_patterns(tmp_path / "nope")
    assert info.value.code == "E301" and "no such folder" in info.value.message


def test_a_users_own_patterns_folder(tmp_path):
    folder = tmp_path / "mine"
    _write(folder, "touch", [GOOD, '{"id": "touch.rub", "label": "touch", "phrase": "rub your back"}'])
    _write(folder, "humour", ['{"id": "humour.pun", "label": "humour", "phrase": "knead to know"}'])
    coder = RuleCoder(patterns_dir=folder)
    out = coder.code_frame(frame([("c", "I'll press here."), ("c", "Let me rub your back."),
                                  ("c", "That's on a knead to know basis."), ("c", "Lie down.")]))
    assert out["touch"].tolist() == [1, 1, 0, 0]
    assert out["humour"].tolist() == [0, 0, 1, 0]
    assert coder.config["patterns"]["origin"] == str(folder)
    assert sorted(coder.config["patterns"]["sha256"]) == ["humour", "touch"]


def test_patterns_needing_a_trained_pipeline_are_skipped_on_the_blank_one(tmp_path):
    folder = tmp_path / "pos"
    pos_line = ('{"id": "touch.verb_your", "label": "touch", "pattern": '
                '[{"POS": "VERB"}, {"LOWER": "your"}]}')
    _write(folder, "touch", [GOOD, pos_line])
    coder = RuleCoder(patterns_dir=folder)
    assert coder.config["patterns"]["skipped"] == ["touch.verb_your"]
    assert coder.code_frame(frame([("c", "Bend your knee.")]))["touch"].tolist() == [0]


SENTENCES = [
    "I'm going to press along your spine, tell me if this hurts.",
    "So you've been worried it's something serious, is that right?",
    "Um, and, uh, how long has it, has it been like that?",
    "Pain is your body's alarm, and stress can turn the volume up.",
    "Mm-hmm. Go on, take your time.",
    "Before we finish, keep taking the tablets twice a day and come back if it gets worse.",
    "Ha ha, the world's most dramatic knee. Don't tell anyone.",
    "Could you pop your top off? Lie face down on the bed for me.",
    "That sounds really tough, I'm so sorry to hear that.",
    "Now I'd like to examine you. Let me feel along the muscles here?",
]


def test_fast_matcher_gives_the_same_matches_as_spacys_matcher(rule_coder):
    nlp = rule_coder.nlp
    ruler = rule_coder.ruler
    matcher = spacy_matcher(rule_coder)
    strings = nlp.vocab.strings
    total = 0
    for text in SENTENCES:
        doc = nlp(text)
        expected = sorted((strings[k], s, e) for k, s, e in matcher(doc))
        assert sorted(ruler.fast(doc)) == expected, text
        total += len(expected)
    assert total > 30


def test_fast_matcher_operators_match_spacy():
    import spacy
    from spacy.matcher import Matcher

    from ta_nlp.rules.fastmatch import FastMatcher

    nlp = spacy.blank("en")
    patterns = {
        "opt": [{"LOWER": "a"}, {"LOWER": "b", "OP": "?"}, {"LOWER": "c"}],
        "plus": [{"LOWER": "x"}, {"LOWER": "y", "OP": "+"}],
        "star": [{"LOWER": {"IN": ["p", "q"]}}, {"OP": "*", "IS_PUNCT": False}, {"LOWER": "z"}],
        "range": [{"LOWER": "m"}, {"IS_ALPHA": True, "OP": "{1,2}"}, {"LOWER": "n"}],
        "regex": [{"LOWER": {"REGEX": "^h+m+$"}}],
        "notin": [{"LOWER": "k"}, {"LOWER": {"NOT_IN": ["l"]}}],
        "lead_opt": [{"LOWER": "so", "OP": "?"}, {"LOWER": "you"}, {"LOWER": "said"}],
    }
    matcher, fast = Matcher(nlp.vocab), FastMatcher(nlp.vocab.strings)
    for key, pattern in patterns.items():
        matcher.add(key, [pattern], greedy="LONGEST")
        fast.add(key, pattern)
    for text in ["a c a b c", "x y y y x", "p 1 2 z q z", "m o o n m n", "hmm hhmm ham",
                 "k l k m", "so you said you said"]:
        doc = nlp(text)
        expected = sorted((nlp.vocab.strings[k], s, e) for k, s, e in matcher(doc))
        assert sorted(fast(doc)) == expected, text


def test_component_is_registered_and_reloads(tmp_path):
    import spacy

    from ta_nlp.rules import FACTORY_NAME, RULER_NAME, make_nlp

    nlp = make_nlp()
    assert FACTORY_NAME == "ta_behaviour_ruler_v1"
    assert nlp.pipe_names == ["sentencizer", "lemmatizer", RULER_NAME]
    assert nlp.get_pipe_meta(RULER_NAME).factory == FACTORY_NAME
    doc = nlp("Let me feel here, does that hurt?")
    spans = {(s.label_, s.id_) for s in doc.spans["ta_cues"]}
    assert ("touch", "touch.let_me_feel") in spans
    nlp.to_disk(tmp_path / "pipeline")
    again = spacy.load(tmp_path / "pipeline")
    doc2 = again("Let me feel here, does that hurt?")
    assert {(s.label_, s.id_) for s in doc2.spans["ta_cues"]} == spans
