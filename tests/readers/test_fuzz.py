"""Property tests: on arbitrary text or bytes, readers return transcripts or raise TaNlpError only."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ta_nlp.errors import TaNlpError
from ta_nlp.readers import read, srt, text, textgrid, vtt, whisper
from ta_nlp.readers.encoding import decode

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# Fragments of real formats, so that generated input reaches the parsers' deeper paths.
FRAGMENTS = [
    "WEBVTT", "NOTE", "1", "00:00:01.000 --> 00:00:02.000", "0:0:0.570 --> 0:0:1.2",
    "00:00:03,000 --> 00:00:01,000", "00:00:0", "-->", "<v Ann>hi</v>", "<v Bo>yes", "</v>",
    "PT: hello", "Patient: ok?", "- PT: a", "[00:01:23] PT: x", "Ann Lee  0:15", "(1:23)", "",
    'File type = "ooTextFile"', 'Object class = "TextGrid"', "0", "10", "<exists>", "2",
    '"IntervalTier"', '"PT"', '"x""y"', '"', "1e400", "-5", "99999999999", "[1]", "!c",
    '{"segments": [', '{"start": 0, "end": 1, "text": "a", "speaker": "S"}', "]}", "null",
    '{"start": "x"}', "<UNIN/>", "[laughs]", "&amp;", "\ufeff", "\x00", "\r",
]
structured = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)),
                      max_size=30).map("\n".join)
any_text = st.one_of(st.text(max_size=400), structured)

PARSERS = {"text": text.parse, "vtt": vtt.parse, "srt": srt.parse, "textgrid": textgrid.parse,
           "whisper": whisper.parse}


def _only_toolkit_errors(func, *args, **kwargs):
    try:
        result = func(*args, **kwargs)
    except TaNlpError as exc:
        assert exc.code and exc.message
        return None
    return result


@pytest.mark.parametrize("name", sorted(PARSERS))
@SETTINGS
@given(data=any_text)
def test_parsers_raise_only_toolkit_errors_on_any_text(name, data):
    transcript = _only_toolkit_errors(PARSERS[name], data, f"fuzz.{name}")
    if transcript is not None:
        assert transcript.utterances  # never an empty transcript
        assert all(u.id and u.speaker for u in transcript.utterances)


@SETTINGS
@given(data=st.binary(max_size=600))
def test_decode_raises_only_toolkit_errors_on_any_bytes(data):
    result = _only_toolkit_errors(decode, data, "fuzz.bin")
    if result is not None:
        assert "\r" not in result and "\x00" not in result


_TMP = tempfile.TemporaryDirectory()


@pytest.mark.parametrize("suffix", [".txt", ".vtt", ".srt", ".TextGrid", ".csv", ".tsv", ".jsonl",
                                    ".parquet", ".json", ".docx", ".unknown"])
@SETTINGS
@given(data=st.one_of(st.binary(max_size=500), any_text.map(lambda s: s.encode("utf-8"))))
def test_read_raises_only_toolkit_errors_on_any_file(suffix, data):
    path = Path(_TMP.name) / f"fuzz{suffix}"
    path.write_bytes(data)
    _only_toolkit_errors(read, path)


@SETTINGS
@given(rows=st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8), st.text(max_size=20),
                               st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
                               st.text(max_size=8)),
                     min_size=1, max_size=12))
def test_tables_with_odd_values(rows):
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["transcript_id", "speaker", "text", "start", "end"])
    path = Path(_TMP.name) / "odd.parquet"
    frame.to_parquet(path, index=False)
    _only_toolkit_errors(read, path)
    path = Path(_TMP.name) / "odd.csv"
    frame.to_csv(path, index=False)
    _only_toolkit_errors(read, path)
