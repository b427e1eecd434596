"""SRT with speaker prefixes."""

from reader_helpers import raises, write

from ta_nlp.readers import read
from ta_nlp.readers.srt import parse

SRT = """1
00:00:01,000 --> 00:00:04,000
THERAPIST: Hi there, come in.

2
00:00:04,500 --> 00:00:08,500
PATIENT: Thanks. It's my ankle,
I rolled it at netball.

3
00:00:08,600 --> 00:00:10,000
And it swelled up.

4
00:00:10,500 --> 00:00:12,500
- PATIENT: Ten days ago.
- THERAPIST: Okay.

00:00:13.000 --> 00:00:15,000
>> THERAPIST: Which way did it go?
"""


def test_prefixes_continuations_and_dialogue_cues():
    t = parse(SRT, "a.srt")
    assert [u.speaker for u in t.utterances] == [
        "THERAPIST", "PATIENT", "PATIENT", "PATIENT", "THERAPIST", "THERAPIST"]
    assert t.utterances[1].text == "Thanks. It's my ankle, I rolled it at netball."
    assert t.utterances[2].text == "And it swelled up."
    # "- PATIENT: … / - THERAPIST: …" share the cue by words (3 and 1)
    assert (t.utterances[3].start, t.utterances[3].end) == (10.5, 12.0)
    assert (t.utterances[4].start, t.utterances[4].end) == (12.0, 12.5)
    assert t.utterances[5].start == 13.0  # no index line, "." as decimal mark


def test_windows_1252_crlf(tmp_path):
    path = write(tmp_path, "w.srt", SRT.replace("It's", "It’s").replace("\n", "\r\n"),
                 encoding="cp1252")
    assert read(path)[0].utterances[1].text.startswith("Thanks. It’s my ankle")


def test_bad_input(tmp_path):
    raises("E004", read, write(tmp_path, "e.srt", "\n\n"))
    raises("E103", parse, SRT + "\n6\n00:00:16,000 --> 00:00:17,000\n", "cut.srt")
    raises("E103", parse, SRT + "\n6\n00:00:16,0", "cut.srt")
    raises("E102", parse, SRT.replace("00:00:08,600", "00:00:00,600"), "back.srt")
    raises("E101", parse, "1\nhello\nworld\n", "junk.srt")


def test_cues_without_speakers_and_wrong_encoding(tmp_path):
    t = parse("1\n00:00:01,000 --> 00:00:02,000\nHello there.\n", "x.srt")
    assert [(u.speaker, u.text) for u in t.utterances] == [("unknown", "Hello there.")]
    raises("E005", read, write(tmp_path, "bad.srt", SRT.encode("utf-8") + "é".encode() + b"\x90"))
