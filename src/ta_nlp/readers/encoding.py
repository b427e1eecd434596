"""Turn the bytes of a transcript file into text, or fail with a clear error — never mojibake.

Accepted: UTF-8 (with or without BOM), UTF-16 LE/BE with a BOM (and without one when the NUL-byte
pattern is unmistakable, as in some Praat exports), and Windows-1252. Line ends CRLF and CR become
LF. Binary files (images, archives, PDFs, Praat binary TextGrids) raise ``E006``; bytes that fit none
of the encodings — or UTF-8 that is corrupted part-way — raise ``E005``.

Windows-1252 is tried only when the bytes hold no valid multi-byte UTF-8 sequence at all: a UTF-8
file with one damaged byte would otherwise decode as Windows-1252 into mojibake ("â€™").
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ta_nlp.errors import ReaderError

#: Leading bytes of common binary files (never transcripts).
_MAGIC: tuple[bytes, ...] = (
    b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"PAR1", b"\x1f\x8b",
    b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!", b"\xd0\xcf\x11\xe0", b"ooBinaryFile",
    b"RIFF", b"ID3", b"fLaC", b"OggS", b"\x7fELF", b"SQLite format 3",
)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
# C0 controls other than tab, LF, VT, FF, CR; DEL; C1 controls (from bad decodes).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\x80-\x9f]")
_ASCII_TEXT_BYTES = bytes([9, 10, 11, 12, 13]) + bytes(range(32, 127))


def _binary(path: str | Path) -> ReaderError:
    return ReaderError.make("E006", path=path)


def _utf16_without_bom(data: bytes) -> str | None:
    """'le' or 'be' when NULs sit regularly at odd or even offsets (ASCII text as UTF-16)."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.4 and even_nul < 0.05:
        return "le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "be"
    return None


def decode(data: bytes, path: str | Path = "<bytes>") -> str:
    """Decode ``data`` (the whole file) to text with LF line ends; raise E005/E006 when impossible."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) and len(data) % 4 == 0 \
            and data[:4] in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
        encodings = ["utf-32"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    elif data.startswith(_MAGIC):
        raise _binary(path)
    elif b"\x00" in data:
        order = _utf16_without_bom(data)
        if order is None:
            raise _binary(path)
        encodings = [f"utf-16-{order}"]
    elif data.isascii():
        encodings = ["ascii"]
    else:
        encodings = ["utf-8"]
        if not _UTF8_MULTIBYTE.search(data):
            encodings.append("cp1252")
    text = None
    reason = ""
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            reason = f"{encoding}: byte 0x{data[exc.start]:02x} at offset {exc.start}" \
                if exc.start < len(data) else f"{encoding}: {exc.reason}"
    if text is None:
        raise ReaderError.make("E005", path=path, reason=reason)
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise _binary(path)
    if encodings == ["ascii"]:  # fast path: count control bytes in C
        controls = len(data.translate(None, _ASCII_TEXT_BYTES))
    else:
        controls = len(_CONTROL.findall(text))
    if controls and controls > max(2, len(text) // 100):
        raise _binary(path)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x0b" in text:  # Word's soft line break in pasted text
        text = text.replace("\x0b", "\n")
    return text


def read_bytes(path: str | Path) -> bytes:
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ReaderError.make("E001", path=path) from None
    except IsADirectoryError:
        raise ReaderError.make("E007", path=path, exts="transcript files") from None
    except OSError as exc:
        raise ReaderError.make("E106", path=path, line=0,
                               message=f"cannot read the file ({exc.strerror}).") from None


def read_text(path: str | Path) -> str:
    """Read and :func:`decode` a file; an empty (or whitespace-only) file raises E004."""
    text = decode(read_bytes(path), path)
    if not text.strip():
        raise ReaderError.make("E004", path=path)
    return text
