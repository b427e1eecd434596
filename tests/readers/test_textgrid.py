"""Praat TextGrid: long and short text forms, UTF-16, channel files grouped into transcripts."""

import pytest
from reader_helpers import raises, write

from ta_nlp.readers import discover, iter_read, read
from ta_nlp.readers.textgrid import parse

LONG = '''File type = "ooTextFile"
Object class = "TextGrid"

xmin = 0
xmax = 10
tiers? <exists>
size = 3
item []:
    item [1]:
        class = "IntervalTier"
        name = "PT"
        xmin = 0
        xmax = 10
        intervals: size = 3
        intervals [1]:
            xmin = 0
            xmax = 1.5
            text = "Hi, come in. ""Sit"" anywhere."
        intervals [2]:
            xmin = 1.5
            xmax = 6
            text = ""
        intervals [3]:
            xmin = 6
            xmax = 10
            text = "Mm-hmm."
    item [2]:
        class = "IntervalTier"
        name = "Patient"
        xmin = 0
        xmax = 10
        intervals: size = 3
        intervals [1]:
            xmin = 0
            xmax = 2
            text = "   "
        intervals [2]:
            xmin = 2
            xmax = 7.25
            text = "It’s my knee."
        intervals [3]:
            xmin = 7.25
            xmax = 10
            text = ""
    item [3]:
        class = "TextTier"
        name = "events"
        xmin = 0
        xmax = 10
        points: size = 1
        points [1]:
            number = 4.5
            mark = "door"
'''

SHORT = '''File type = "ooTextFile"
Object class = "TextGrid"

0
10
<exists>
1
"IntervalTier"
"{name}"
0
10
3
0
{a}
"{text}"
{a}
{b}
""
{b}
10
"{text2}"
'''


def test_long_form_tiers_are_speakers_ordered_by_start():
    t = parse(LONG, "visit.TextGrid")
    assert [(u.speaker, u.start, u.end, u.text) for u in t.utterances] == [
        ("PT", 0.0, 1.5, 'Hi, come in. "Sit" anywhere.'),
        ("Patient", 2.0, 7.25, "It’s my knee."),
        ("PT", 6.0, 10.0, "Mm-hmm."),
    ]
    assert t.metadata["merge_turns"] is False
    assert t.metadata["tiers"] == ["PT", "Patient"]
    assert t.utterances[0].line == 18


def test_short_form():
    text = SHORT.format(name="Therapist", a=1, b=3.5, text="Hello", text2="Bye now")
    t = parse(text, "s.TextGrid")
    assert [(u.speaker, u.start, u.end, u.text) for u in t.utterances] == [
        ("Therapist", 0.0, 1.0, "Hello"), ("Therapist", 3.5, 10.0, "Bye now")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_utf16_and_bom_files(tmp_path, encoding):
    data = LONG.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = write(tmp_path, "u.TextGrid", data)
    assert read(path)[0].utterances[1].text == "It’s my knee."


def channel(tmp_path, name, tier, rows, encoding="utf-8"):
    """A one-tier short-form file: ``rows = [(0, a, text), (b, 10, text2)]``, silence between."""
    (_, a, text), (b, _, text2) = rows
    return write(tmp_path, name, SHORT.format(name=tier, a=a, b=b, text=text, text2=text2),
                 encoding=encoding)


def test_channel_files_are_grouped_by_the_naming_rule(tmp_path):
    channel(tmp_path, "v1_doctor.TextGrid", "Doctor", [(0, 2, "Hello there"), (6, 10, "Okay")])
    channel(tmp_path, "v1_patient.TextGrid", "Patient", [(0, 2.5, "Hi"), (3, 10, "Knee")],
            encoding="utf-16")
    channel(tmp_path, "v2_doctor.TextGrid", "Doctor", [(0, 1, "Morning"), (5, 10, "Right")])
    channel(tmp_path, "v2_patient.TextGrid", "Patient", [(0, 2, "Hello"), (3, 10, "Back")])
    jobs = discover(tmp_path)
    assert [(j.transcript_id, j.rule, j.speakers) for j in jobs] == [
        ("v1", "naming", ["doctor", "patient"]), ("v2", "naming", ["doctor", "patient"])]
    transcripts = read(tmp_path)
    assert [t.id for t in transcripts] == ["v1", "v2"]
    v1 = transcripts[0]
    assert [(u.id, u.speaker, u.start, u.end, u.text) for u in v1.utterances] == [
        ("v1-0000", "doctor", 0.0, 2.0, "Hello there"), ("v1-0001", "patient", 0.0, 2.5, "Hi"),
        ("v1-0002", "patient", 3.0, 10.0, "Knee"), ("v1-0003", "doctor", 6.0, 10.0, "Okay")]
    assert [p.name for p in v1.sources] == ["v1_doctor.TextGrid", "v1_patient.TextGrid"]


def test_equal_starts_keep_channel_order(tmp_path):
    channel(tmp_path, "tie_a.TextGrid", "A", [(0, 2, "first channel"), (6, 10, "x")])
    channel(tmp_path, "tie_b.TextGrid", "B", [(0, 2, "second channel"), (6, 10, "y")])
    t = read(tmp_path)[0]
    assert [u.text for u in t.utterances] == ["first channel", "second channel", "x", "y"]


def test_tier_name_is_used_when_the_file_suffix_is_not_a_role(tmp_path):
    channel(tmp_path, "s1_ch1.TextGrid", "Therapist", [(0, 2, "Hello"), (6, 10, "Okay")])
    channel(tmp_path, "s1_ch2.TextGrid", "Patient", [(0, 2.5, "Hi"), (3, 10, "Knee")])
    assert read(tmp_path)[0].get_speakers() == ["Therapist", "Patient"]


def test_multi_tier_files_sharing_a_prefix_are_not_grouped(tmp_path):
    write(tmp_path, "rec_1.TextGrid", LONG)
    write(tmp_path, "rec_2.TextGrid", LONG)
    assert [t.id for t in read(tmp_path)] == ["rec_1", "rec_2"]


def test_manifest_groups_files(tmp_path):
    channel(tmp_path, "a.TextGrid", "x", [(0, 2, "Hello"), (6, 10, "Okay")])
    channel(tmp_path, "b.TextGrid", "y", [(0, 2.5, "Hi"), (3, 10, "Knee")])
    manifest = write(tmp_path, "groups.csv",
                     "transcript_id,file,speaker\nvisit9,a.TextGrid,Therapist\nvisit9,b.TextGrid,Client\n")
    transcripts = read(tmp_path)  # the manifest is found in the folder
    assert [t.id for t in transcripts] == ["visit9"]
    assert set(transcripts[0].get_speakers()) == {"Therapist", "Client"}
    assert [t.id for t in read([], manifest=manifest)] == ["visit9"]


def test_bad_textgrids(tmp_path):
    raises("E004", read, write(tmp_path, "e.TextGrid", ""))
    raises("E103", parse, LONG[: LONG.index("intervals [3]")], "cut.TextGrid")
    raises("E103", parse, LONG[: LONG.index("Hi, come") + 5], "open.TextGrid")
    raises("E101", parse, 'File type = "ooTextFile"\nObject class = "Sound"\n0\n1\n', "s.TextGrid")
    raises("E101", parse, "hello\n", "x.TextGrid")
    raises("E101", parse, LONG.replace("xmax = 1.5", "xmax = -1.5"), "neg.TextGrid")
    err = raises("E102", parse, LONG.replace("            xmin = 6\n", "            xmin = 1\n"),
                 "overlap.TextGrid")
    assert err.line == 26  # the text line of the interval that starts too early
    raises("E006", read, write(tmp_path, "bin.TextGrid", b"ooBinaryFile\x08TextGrid\x00\x00"))
    raises("E004", parse, LONG.replace("tiers? <exists>", "tiers? <absent>"), "none.TextGrid")


def test_a_bad_channel_file_fails_only_its_group(tmp_path):
    channel(tmp_path, "g1_doctor.TextGrid", "Doctor", [(0, 2, "Hello"), (6, 10, "Okay")])
    write(tmp_path, "g1_patient.TextGrid", LONG[:200])
    channel(tmp_path, "g2_doctor.TextGrid", "Doctor", [(0, 2, "Hello"), (6, 10, "Okay")])
    channel(tmp_path, "g2_patient.TextGrid", "Patient", [(0, 2.5, "Hi"), (3, 10, "Knee")])
    results = list(iter_read(tmp_path))
    assert [type(r).__name__ for _, r in results] == ["ReaderError", "list"]
    assert results[0][0].name == "g1_patient.TextGrid"
    assert results[1][1][0].id == "g2"
