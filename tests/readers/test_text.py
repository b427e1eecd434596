"""Plain-text transcripts: stamps in several styles, Otter headers, continuation lines."""

import pytest
from reader_helpers import raises, write

from ta_nlp.readers import read
from ta_nlp.readers.text import parse


def test_stamped_transcript_with_preamble_and_continuation_lines():
    text = ("Initial evaluation, clinic 3\n\n"
            "[00:00:02] PT: Hi, come on in.\n"
            "[00:00:05] Patient: Thanks. It's my back.\n"
            "It has been sore: three weeks now.\n"
            "[00:01:10] PT: Okay.\n")
    t = parse(text, "visit.txt")
    assert t.id == "visit"
    assert [u.speaker for u in t.utterances] == ["PT", "Patient", "PT"]
    assert [u.start for u in t.utterances] == [2.0, 5.0, 70.0]
    assert all(u.end is None for u in t.utterances)
    assert t.utterances[1].text == "Thanks. It's my back. It has been sore: three weeks now."
    assert [u.id for u in t.utterances] == ["visit-0000", "visit-0001", "visit-0002"]
    assert [u.line for u in t.utterances] == [3, 4, 6]
    assert t.metadata["preamble_lines"] == 1
    assert t.metadata["merge_turns"] is True


@pytest.mark.parametrize("line, start", [
    ("[00:01:23] PT: hello", 83.0),
    ("00:01:23 PT: hello", 83.0),
    ("(1:23) PT: hello", 83.0),
    ("PT (1:23): hello", 83.0),
    ("PT [01:02:03]: hello", 3723.0),
    ("PT: [00:00:07.5] hello", 7.5),
    ("PT: hello", None),
])
def test_timestamp_styles(line, start):
    t = parse(f"{line}\nPatient: hi\n", "x.txt")
    assert t.utterances[0].speaker == "PT"
    assert t.utterances[0].text == "hello"
    assert t.utterances[0].start == start


def test_otter_headers_with_names():
    text = ("Dana Whitfield  0:00\nHi Sam, good to see you.\nWhat brings you in?\n\n"
            "Sam Lee  0:06\nMy knee.\n\nDana Whitfield  0:09\nOkay.\n\nSam Lee  1:02:03\nYes.\n")
    t = parse(text, "otter.txt")
    assert [(u.speaker, u.start) for u in t.utterances] == [
        ("Dana Whitfield", 0.0), ("Sam Lee", 6.0), ("Dana Whitfield", 9.0), ("Sam Lee", 3723.0)]
    assert t.utterances[0].text == "Hi Sam, good to see you. What brings you in?"


def test_a_word_with_a_colon_said_once_is_speech_not_a_speaker():
    text = "PT: How is it?\nPatient: Well, basically:\nAnyway: it hurts.\nPT: Okay.\n"
    t = parse(text, "x.txt")
    assert [u.speaker for u in t.utterances] == ["PT", "Patient", "PT"]
    assert t.utterances[1].text == "Well, basically: Anyway: it hurts."


def test_unknown_name_speakers_are_read_when_used_twice():
    text = "Speaker 1: Hello.\nSpeaker 2: Hi.\nSpeaker 1: How are you?\nSpeaker 2: Fine.\n"
    t = parse(text, "x.txt")
    assert t.get_speakers() == ["Speaker 1", "Speaker 2"]


def test_lowercase_sentence_before_a_time_is_not_a_label():
    t = parse("PT: When?\nPatient: I woke at 10:30 and it hurt.\nPT: Right.\n", "x.txt")
    assert t.utterances[1].text == "I woke at 10:30 and it hurt."


def test_cr_only_line_ends(tmp_path):
    path = write(tmp_path, "mac.txt", "PT: one\rPatient: two\rPT: three\r")
    assert [u.text for u in read(path)[0].utterances] == ["one", "two", "three"]


def test_windows_1252_file_keeps_its_apostrophes(tmp_path):
    path = write(tmp_path, "w.txt", "PT: It’s fine\r\nPatient: I’m sure\r\n", encoding="cp1252")
    assert read(path)[0].utterances[1].text == "I’m sure"


def test_empty_file(tmp_path):
    raises("E004", read, write(tmp_path, "empty.txt", ""))
    raises("E004", read, write(tmp_path, "blank.txt", " \n\n\t\n"))


def test_no_speaker_lines_is_a_clear_error():
    err = raises("E101", parse, "Just some notes about the visit.\nNothing else.\n", "notes.txt")
    assert "Speaker: text" in err.message and "notes.txt:1" in err.message


def test_truncated_otter_header_at_the_end():
    err = raises("E103", parse, "Ann Bell  0:00\nHello.\nJo Cole  0:05\nHi.\nAnn Bell  0:09\n",
                 "cut.txt")
    assert "cut.txt:5" in err.message


def test_timestamps_going_backwards():
    text = "[00:00:10] PT: one\n[00:00:20] Patient: two\n[00:00:15] PT: three\n"
    err = raises("E102", parse, text, "x.txt")
    assert err.line == 3 and "--allow-unordered" in err.message
    t = parse(text, "x.txt", allow_unordered=True)
    assert [u.start for u in t.utterances] == [10.0, 20.0, 15.0]
