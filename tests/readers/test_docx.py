"""Teams / Otter .docx exports."""

import docx
from reader_helpers import raises, write

from ta_nlp.readers import read


def save(document, path):
    document.save(path)
    return path


def test_teams_docx_header_paragraphs(tmp_path):
    d = docx.Document()
    d.add_paragraph("Initial assessment")
    d.add_paragraph("Transcript")
    d.add_paragraph("March 5, 2024, 2:01PM")
    for name, time, text in [("Tom Becker", "0:03", "Hi Linda, can you hear me?"),
                             ("Linda Osei", "0:07", "Yes, I can."),
                             ("Tom Becker", "0:10", "Good. What's been happening?")]:
        d.add_paragraph(f"{name}   {time}")
        d.add_paragraph(text)
    t = read(save(d, tmp_path / "teams.docx"))[0]
    assert [(u.speaker, u.start, u.text) for u in t.utterances] == [
        ("Tom Becker", 3.0, "Hi Linda, can you hear me?"), ("Linda Osei", 7.0, "Yes, I can."),
        ("Tom Becker", 10.0, "Good. What's been happening?")]
    assert t.metadata["format"] == "docx" and t.metadata["preamble_lines"] == 3


def test_otter_docx_speech_in_the_same_paragraph_after_a_line_break(tmp_path):
    d = docx.Document()
    for name, time, text in [("Speaker 1", "0:00", "How can I help today?"),
                             ("Speaker 2", "0:04", "It's my elbow."),
                             ("Speaker 1", "1:05", "Okay.")]:
        run = d.add_paragraph().add_run(f"{name}  {time}")
        run.add_break()
        run.add_text(text)
    t = read(save(d, tmp_path / "otter.docx"))[0]
    assert [(u.speaker, u.start, u.text) for u in t.utterances] == [
        ("Speaker 1", 0.0, "How can I help today?"), ("Speaker 2", 4.0, "It's my elbow."),
        ("Speaker 1", 65.0, "Okay.")]


def test_table_rows_are_read_as_lines(tmp_path):
    d = docx.Document()
    table = d.add_table(rows=2, cols=2)
    for row, (name, text) in zip(table.rows, [("PT:", "Hello."), ("Patient:", "Hi.")]):
        row.cells[0].text, row.cells[1].text = name, text
    t = read(save(d, tmp_path / "t.docx"))[0]
    assert [(u.speaker, u.text) for u in t.utterances] == [("PT", "Hello."), ("Patient", "Hi.")]


def test_bad_docx(tmp_path):
    raises("E004", read, write(tmp_path, "e.docx", b""))
    raises("E101", read, write(tmp_path, "plain.docx", "PT: hello\n"))
    raises("E101", read, write(tmp_path, "zip.docx", b"PK\x03\x04" + b"\x00" * 100))
    raises("E004", read, save(docx.Document(), tmp_path / "blank.docx"))
