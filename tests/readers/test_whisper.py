"""WhisperX / faster-whisper segment JSON."""

import json

from reader_helpers import raises, write

from ta_nlp.readers import read
from ta_nlp.readers.whisper import parse


def seg(start, end, text, speaker=None, words=None):
    s = {"start": start, "end": end, "text": text}
    if speaker is not None:
        s["speaker"] = speaker
    if words is not None:
        s["words"] = words
    return s


def test_whisperx_with_speakers_and_a_segment_missing_its_speaker():
    data = {"segments": [
        seg(0.5, 2.0, " Hi, I'm Fiona.", "SPEAKER_00"),
        seg(2.4, 4.0, " Hello.", words=[{"word": "Hello.", "start": 2.4, "end": 3.0,
                                         "speaker": "SPEAKER_01"}]),
        seg(4.2, 5.0, " Mm.", words=[{"word": "Mm.", "start": 4.2, "end": 4.5}]),
        seg(5.5, 7.0, "   ", "SPEAKER_00"),
        seg(7.5, 9.0, " How can I help?", "SPEAKER_00"),
    ], "word_segments": []}
    t = parse(json.dumps(data), "w.json")
    assert [(u.speaker, u.start, u.end, u.text) for u in t.utterances] == [
        ("SPEAKER_00", 0.5, 2.0, "Hi, I'm Fiona."), ("SPEAKER_01", 2.4, 4.0, "Hello."),
        ("unknown", 4.2, 5.0, "Mm."), ("SPEAKER_00", 7.5, 9.0, "How can I help?")]
    assert t.metadata["format"] == "whisper" and t.metadata["merge_turns"] is True


def test_faster_whisper_bare_list_without_speakers():
    t = parse(json.dumps([seg(0, 1.5, " Hello"), seg(1.6, 3, " there")]), "fw.json")
    assert t.get_speakers() == ["unknown"] and len(t.utterances) == 2


def test_bad_json(tmp_path):
    err = raises("E101", parse, '{"segments": [\n {"start": 0, "end": 1, "text": "a"},\n', "cut.json")
    assert err.line == 3
    raises("E101", parse, '{"text": "no segments"}', "x.json")
    raises("E101", parse, '{"segments": [1, 2]}', "x.json")
    err = raises("E101", parse, json.dumps({"segments": [seg(0, 1, "a"), seg("soon", 2, "b")]}),
                 "x.json")
    assert err.line == 2
    raises("E101", parse, json.dumps({"segments": [seg(0, 1, 5)]}), "x.json")
    raises("E101", parse, json.dumps({"segments": [seg(3, 1, "a")]}), "x.json")
    raises("E102", parse, json.dumps({"segments": [seg(5, 6, "a"), seg(1, 2, "b")]}), "x.json")
    raises("E004", parse, json.dumps({"segments": []}), "x.json")
    raises("E004", read, write(tmp_path, "e.json", ""))


def test_utf16_json_and_corrupt_bytes(tmp_path):
    data = json.dumps({"segments": [seg(0, 1, " Olá", "SPEAKER_00")]}, ensure_ascii=False)
    assert read(write(tmp_path, "u.json", data, encoding="utf-16"))[0].utterances[0].text == "Olá"
    raises("E005", read, write(tmp_path, "b.json", data.encode("utf-8") + b"\x81"))
