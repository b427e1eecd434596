"""Discovery and format detection: folders, extensions, content, batches that keep going."""

from reader_helpers import raises, write

from ta_nlp.readers import FORMATS, detect_format, discover, iter_read, read

VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nPT: Hi\n\n00:00:02.500 --> 00:00:03.000\nPatient: Hello\n"
SRT = "1\n00:00:01,000 --> 00:00:02,000\nPT: Hi\n\n2\n00:00:02,500 --> 00:00:03,000\nPatient: Hello\n"


def test_formats_constant():
    assert FORMATS == ("text", "vtt", "srt", "textgrid", "csv", "tsv", "jsonl", "parquet",
                       "whisper", "docx")


def test_detection_by_extension_and_content(tmp_path):
    assert detect_format(write(tmp_path, "a.vtt", VTT)) == "vtt"
    assert detect_format(write(tmp_path, "captions.txt", VTT)) == "vtt"
    assert detect_format(write(tmp_path, "subs.txt", SRT)) == "srt"
    assert detect_format(write(tmp_path, "grid.txt", 'File type = "ooTextFile"\n')) == "textgrid"
    assert detect_format(write(tmp_path, "noext", "PT: hi\nPatient: hello\n")) == "text"
    assert detect_format(write(tmp_path, "noext.dat", '{"segments": []}')) == "whisper"
    assert detect_format(write(tmp_path, "x.TEXTGRID", "")) == "textgrid"
    assert read(tmp_path / "subs.txt")[0].metadata["format"] == "srt"


def test_format_override_and_unknown_format(tmp_path):
    path = write(tmp_path, "a.log", "PT: Hi\nPatient: Hello\n")
    assert read(path, format="text")[0].get_speakers() == ["PT", "Patient"]
    assert read(path, format="TXT")[0].metadata["format"] == "text"
    raises("E003", read, path, format="pdf")


def test_folder_recursion_skips_hidden_and_unknown_files(tmp_path):
    write(tmp_path, "b/visit2.vtt", VTT)
    write(tmp_path, "a/visit1.srt", SRT)
    write(tmp_path, ".hidden/visit3.txt", "PT: a\nPatient: b\n")
    write(tmp_path, "a/~$visit.docx", b"lock")
    write(tmp_path, "a/notes.md", "# notes")
    assert [t.id for t in read(tmp_path)] == ["visit1", "visit2"]


def test_batch_goes_on_after_bad_files(tmp_path):
    write(tmp_path, "1_good.vtt", VTT)
    write(tmp_path, "2_bad.vtt", VTT + "\n00:00:04.000 --> 00:00:0")
    write(tmp_path, "3_binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(tmp_path, "4_good.srt", SRT)
    results = list(iter_read([tmp_path, tmp_path / "missing.txt"]))
    summary = [(p.name, r.code if hasattr(r, "code") else [t.id for t in r]) for p, r in results]
    assert summary == [("missing.txt", "E001"), ("1_good.vtt", ["1_good"]), ("2_bad.vtt", "E103"),
                       ("3_binary.txt", "E006"), ("4_good.srt", ["4_good"])]


def test_empty_folder_and_missing_path(tmp_path):
    (tmp_path / "empty").mkdir()
    raises("E007", read, tmp_path / "empty")
    raises("E001", read, tmp_path / "nope.vtt")
    assert [j.rule for j in discover([tmp_path / "empty", tmp_path / "nope.vtt"])] == ["error", "error"]


def test_same_file_twice_is_read_once(tmp_path):
    path = write(tmp_path, "v.vtt", VTT)
    assert len(read([path, tmp_path])) == 1
