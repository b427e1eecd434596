"""WebVTT from Zoom and Teams, with their quirks, and bad input."""

from reader_helpers import raises, write

from ta_nlp.readers import read
from ta_nlp.readers.vtt import parse

ZOOM = """WEBVTT

1
00:00:01.230 --> 00:00:04.560
Anita Rao: Hi Sam, can you hear me okay?

2
00:00:05.100 --> 00:00:06.000
Sam Okafor: Yes &amp; I can see you.

3
00:00:06.400 --> 00:00:09.000
Anita Rao: Good: let's start.

4
00:00:09.000 --> 00:00:12.000
What's been happening?

5
00:00:12.500 --> 00:00:15.000
Sam Okafor: My neck.
"""

TEAMS = """WEBVTT

NOTE
exported from the meeting

STYLE
::cue { color: yellow }

3c6d-4da4/11-0
0:0:0.570 --> 0:0:3.120
<v Tom Becker>Hi, I'm Tom.</v>

3c6d-4da4/12-0
0:0:3.500 --> 0:0:7.500
<v Linda Osei>Yes, hello.</v><v Tom Becker>So it's the left shoulder, is it?</v>

3c6d-4da4/13-0
0:0:8.000 --> 0:0:12.000 align:start position:10%
<v.loud Linda Osei>It started <c.yellow>after</c> painting <00:00:10.000>the ceiling

3c6d-4da4/14-0
0:1:2.25 --> 0:1:4.5
<v Tom Becker>Right.</v>
"""


def test_zoom_cues():
    t = parse(ZOOM, "zoom.vtt")
    assert [(u.speaker, u.start, u.end) for u in t.utterances] == [
        ("Anita Rao", 1.23, 4.56), ("Sam Okafor", 5.1, 6.0), ("Anita Rao", 6.4, 9.0),
        ("Anita Rao", 9.0, 12.0), ("Sam Okafor", 12.5, 15.0)]
    assert t.utterances[1].text == "Yes & I can see you."
    assert t.utterances[2].text == "Good: let's start."
    assert t.utterances[3].text == "What's been happening?"  # cue without a name continues
    assert t.utterances[0].line == 4  # the cue's timing line


def test_teams_voices_unpadded_times_missing_close_tag_and_inline_tags():
    t = parse(TEAMS, "teams.vtt")
    assert [u.speaker for u in t.utterances] == [
        "Tom Becker", "Linda Osei", "Tom Becker", "Linda Osei", "Tom Becker"]
    assert (t.utterances[0].start, t.utterances[0].end) == (0.57, 3.12)
    # two voices in one cue share its 4 s in proportion to their words (2 and 7)
    assert t.utterances[1].start == 3.5 and t.utterances[1].end == round(3.5 + 4 * 2 / 9, 3)
    assert t.utterances[2].start == t.utterances[1].end and t.utterances[2].end == 7.5
    assert t.utterances[3].text == "It started after painting the ceiling"
    assert (t.utterances[4].start, t.utterances[4].end) == (62.25, 64.5)


def test_missing_header_is_tolerated():
    t = parse(ZOOM.replace("WEBVTT\n\n", ""), "noheader.vtt")
    assert len(t.utterances) == 5


def test_crlf_and_bom(tmp_path):
    path = write(tmp_path, "z.vtt", "\ufeff" + ZOOM.replace("\n", "\r\n"))
    assert len(read(path)[0].utterances) == 5


def test_empty_and_header_only(tmp_path):
    raises("E004", read, write(tmp_path, "e.vtt", ""))
    raises("E004", parse, "WEBVTT\n\nNOTE nothing here\n", "h.vtt")


def test_truncated_last_cue():
    err = raises("E103", parse, ZOOM + "\n6\n00:00:16.000 --> 00:00:1", "cut.vtt")
    assert "cut.vtt:24" in err.message
    raises("E103", parse, ZOOM + "\n6\n00:00:16.000 --> 00:00:18.000\n", "cut.vtt")


def test_timestamps_backwards_and_end_before_start():
    back = ZOOM.replace("00:00:12.500 --> 00:00:15.000", "00:00:02.000 --> 00:00:03.000")
    err = raises("E102", parse, back, "b.vtt")
    assert err.line == 20
    assert len(parse(back, "b.vtt", allow_unordered=True).utterances) == 5
    raises("E101", parse, ZOOM.replace("00:00:05.100 --> 00:00:06.000",
                                       "00:00:05.100 --> 00:00:04.000"), "e.vtt")


def test_block_without_timing_line():
    err = raises("E101", parse, "WEBVTT\n\nhello there\nand more\n", "x.vtt")
    assert "timing line" in err.message


def test_captions_without_speakers_read_as_unknown():
    t = parse("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello\n", "x.vtt")
    assert t.get_speakers() == ["unknown"]


def test_encodings(tmp_path):
    path = write(tmp_path, "u16.vtt", ZOOM.replace("Sam", "Séan"), encoding="utf-16")
    assert read(path)[0].get_speakers() == ["Anita Rao", "Séan Okafor"]
    bad = write(tmp_path, "bad.vtt", ZOOM.encode("utf-8").replace(b"Sam", b"S\xc3\xa9\x81m"))
    raises("E005", read, bad)
