"""Utterance tables: CSV, TSV, JSON Lines, Parquet; column mapping; ids kept; bad tables."""

import json

import pandas as pd
import pytest
from reader_helpers import raises, write

from ta_nlp.readers import iter_read, read
from ta_nlp.readers.table import parse_columns

CSV = """transcript_id,utterance_id,speaker,start,end,text
t1,a,PT,0.5,2.0,Hello there.
t1,b,PT,2.1,3.0,"Come in, sit down."
t1,c,Patient,3.5,5.25,Thanks.
t2,x9,Doctor,00:00:01,00:00:04.5,Morning.
t2,x10,Patient,0:05,,NA
"""


def test_standard_columns_many_transcripts_rows_never_merged(tmp_path):
    transcripts = read(write(tmp_path, "u.csv", CSV))
    assert [t.id for t in transcripts] == ["t1", "t2"]
    t1, t2 = transcripts
    assert [(u.id, u.speaker, u.start, u.end, u.text) for u in t1.utterances] == [
        ("a", "PT", 0.5, 2.0, "Hello there."), ("b", "PT", 2.1, 3.0, "Come in, sit down."),
        ("c", "Patient", 3.5, 5.25, "Thanks.")]
    assert [(u.id, u.start, u.end, u.text) for u in t2.utterances] == [
        ("x9", 1.0, 4.5, "Morning."), ("x10", 5.0, None, "NA")]  # "NA" said aloud stays text
    assert [u.line for u in t1.utterances] == [2, 3, 4]
    assert t1.metadata == {"format": "csv", "merge_turns": False}


def test_generated_ids_and_file_stem_as_transcript_id(tmp_path):
    path = write(tmp_path, "visit7.csv", "speaker,text\nPT,Hi\nPatient,Hello\nPT,Okay\n")
    t = read(path)[0]
    assert t.id == "visit7"
    assert [u.id for u in t.utterances] == ["visit7-0000", "visit7-0001", "visit7-0002"]
    assert all(u.start is None for u in t.utterances)


@pytest.mark.parametrize("columns", [
    {"text": "utterance_text", "speaker": "interlocutor", "start": "timestamp"},
    "text=utterance_text, speaker=interlocutor,start=timestamp",
])
def test_column_mapping(tmp_path, columns):
    path = write(tmp_path, "mi.csv", "transcript_id,utterance_id,interlocutor,timestamp,utterance_text\n"
                                     "0,0,therapist,00:00:13,How are you?\n0,1,client,00:00:24,Fine.\n")
    t = read(path, columns=columns)[0]
    assert [(u.id, u.speaker, u.start, u.text) for u in t.utterances] == [
        ("0", "therapist", 13.0, "How are you?"), ("1", "client", 24.0, "Fine.")]


def test_tsv_jsonl_and_parquet(tmp_path):
    frame = pd.read_csv(write(tmp_path, "u.csv", CSV), dtype=str, keep_default_na=False)
    frame.to_csv(tmp_path / "u.tsv", sep="\t", index=False)
    with open(tmp_path / "u.jsonl", "w", encoding="utf-8") as handle:
        for row in frame.to_dict("records"):
            row["start"] = float(row["start"]) if row["start"].replace(".", "").isdigit() else row["start"]
            handle.write(json.dumps(row) + "\n")
            handle.write("\n")  # blank lines are skipped
    frame.to_parquet(tmp_path / "u.parquet", index=False)
    expected = [(u.id, u.start, u.end, u.text) for t in read(tmp_path / "u.csv") for u in t.utterances]
    for name in ("u.tsv", "u.jsonl", "u.parquet"):
        got = [(u.id, u.start, u.end, u.text) for t in read(tmp_path / name) for u in t.utterances]
        assert got == expected, name
    assert read(tmp_path / "u.jsonl")[0].utterances[1].line == 3


def test_role_column_is_kept(tmp_path):
    path = write(tmp_path, "r.csv", "speaker,role,text\nKim Hall,clinician,Hi\nPeter,Patient,Hello\n"
                                    "Kim Hall,therapist,Okay\nAnn,,Hm\n")
    assert [u.role for u in read(path)[0].utterances] == ["clinician", "patient", "clinician", None]


def test_missing_columns_suggest_a_mapping(tmp_path):
    path = write(tmp_path, "m.csv", "transcript_id,interlocutor,utterance_text\n1,client,Hi\n")
    err = raises("E104", read, path)
    assert "speaker, text" in err.message
    assert "--columns speaker=<column>,text=utterance_text" in err.message
    err = raises("E104", read, path, columns={"text": "utterance_txt", "speaker": "interlocutor"})
    assert "did you mean 'utterance_text'" in err.message


@pytest.mark.parametrize("spec", ["text", "words=utterance_text", "text="])
def test_bad_mapping(spec):
    raises("E105", parse_columns, spec)


def test_bad_rows(tmp_path):
    raises("E004", read, write(tmp_path, "empty.csv", ""))
    raises("E004", read, write(tmp_path, "header.csv", "speaker,text\n"))
    err = raises("E101", read, write(tmp_path, "t.csv", "speaker,start,text\nPT,0,a\nPT,soon,b\n"))
    assert err.line == 3
    raises("E101", read, write(tmp_path, "e.csv", "speaker,start,end,text\nPT,5,4,a\n"))
    err = raises("E106", read, write(tmp_path, "d.csv", "utterance_id,speaker,text\n1,PT,a\n1,P,b\n"))
    assert "already used on line 2" in err.message
    raises("E106", read, write(tmp_path, "r.csv", "speaker,role,text\nPT,boss,a\n"))
    err = raises("E101", read, write(tmp_path, "j.jsonl", '{"speaker": "PT", "text": "a"}\n{"speaker": \n'))
    assert err.line == 2
    raises("E101", read, write(tmp_path, "l.jsonl", '["PT", "a"]\n'))
    raises("E101", read, write(tmp_path, "p.parquet", b"PAR1 not really parquet PAR1"))
    raises("E101", read, write(tmp_path, "q.csv", 'speaker,text\nPT,"unclosed\n'))


def test_backwards_times_fail_only_their_transcript(tmp_path):
    path = write(tmp_path, "b.csv", "transcript_id,speaker,start,text\n"
                                    "ok,PT,1,a\nok,P,2,b\nbad,PT,5,c\nbad,P,3,d\nok2,PT,0,e\n")
    results = list(iter_read(path))
    transcripts = [t.id for _, r in results if isinstance(r, list) for t in r]
    errors = [r for _, r in results if not isinstance(r, list)]
    assert transcripts == ["ok", "ok2"]
    assert [(e.code, e.line) for e in errors] == [("E102", 5)]
    raises("E102", read, path)
    assert [t.id for t in read(path, allow_unordered=True)] == ["ok", "bad", "ok2"]


def test_encodings_and_unknown_speakers(tmp_path):
    path = write(tmp_path, "w.csv", "speaker,text\nPT,It’s sore\n,Hm\n", encoding="cp1252")
    t = read(path)[0]
    assert [(u.speaker, u.text) for u in t.utterances] == [("PT", "It’s sore"), ("unknown", "Hm")]
    assert read(write(tmp_path, "u16.tsv", "speaker\ttext\nPT\tcafé\n", encoding="utf-16"))[0] \
        .utterances[0].text == "café"
    raises("E005", read, write(tmp_path, "bad.csv", "speaker,text\nPT,café\n".encode() + b"\x81\n"))
