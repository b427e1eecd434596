"""Decoding: UTF-8 (BOM), UTF-16 LE/BE (BOM), Windows-1252, line ends; clear errors otherwise."""

import codecs

import pytest
from reader_helpers import raises, write

from ta_nlp.readers import read
from ta_nlp.readers.encoding import decode

TEXT = "PT: It’s café time\r\nPatient: Right\rPT: Good\n"
EXPECTED = "PT: It’s café time\nPatient: Right\nPT: Good\n"


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"),
    codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
    codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    TEXT.encode("cp1252"),
], ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "cp1252"])
def test_decodes_every_accepted_encoding_to_the_same_text(data):
    assert decode(data, "x.txt") == EXPECTED


def test_utf16_without_bom_is_recognised_from_its_nul_pattern():
    assert decode("PT: hello there\n".encode("utf-16-le"), "x") == "PT: hello there\n"


def test_corrupted_utf8_is_an_error_not_mojibake():
    # valid UTF-8 ("’" = e2 80 99) followed by a lone 0x81 byte: not Windows-1252 either
    data = "PT: It’s fine\n".encode() + b"Patient: ok \x81\n"
    err = raises("E005", decode, data, "bad.txt")
    assert "bad.txt" in err.message and "0x81" in err.message


def test_windows_1252_undefined_byte_is_an_error():
    raises("E005", decode, b"PT: hello \x81 there\n", "x.txt")


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
    b"%PDF-1.7\n...",
    b"PK\x03\x04" + b"\x00" * 40,
    bytes([0, 1, 2, 3, 250, 251, 0, 7]) * 20,
    b"ooBinaryFile\x08TextGrid",
], ids=["png", "pdf", "zip", "random-binary", "praat-binary"])
def test_binary_input_is_refused(data):
    raises("E006", decode, data, "x.bin")


def test_control_characters_mark_a_file_as_binary():
    raises("E006", decode, b"PT: a\x01\x02\x03\x04\x05\x06 b\n", "x.txt")


def test_whole_reader_path_reports_wrong_encoding_with_the_file(tmp_path):
    path = write(tmp_path, "visit.txt", "PT: café ok\n".encode() + b"Patient: \xff\xfe\xfd\n")
    err = raises("E005", read, path)
    assert err.path == str(path)
