"""``.docx`` transcripts exported by Teams, Otter and similar tools.

The document's paragraphs (and table rows, cells separated by two spaces) become lines — a line
break inside a paragraph is a new line — and those lines are read like a plain-text transcript
(:mod:`ta_nlp.readers.text`): ``Name  0:15`` header lines followed by speech, or ``Name: text``.
Line numbers in errors count these lines.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ta_nlp.errors import ReaderError
from ta_nlp.model import Transcript
from ta_nlp.readers import text as text_reader
from ta_nlp.readers.encoding import read_bytes


def extract_lines(data: bytes, path: str | Path) -> str:
    """The document's text, one paragraph (or table row) per line."""
    try:
        import docx  # python-docx
    except ImportError:  # pragma: no cover - a declared dependency
        raise ReaderError.make("E106", path=path, line=0,
                               message="reading .docx needs python-docx: pip install python-docx") \
            from None
    if not data:
        raise ReaderError.make("E004", path=path)
    if not data.startswith(b"PK"):
        raise ReaderError.make("E101", path=path, line=0, expected="a .docx (zip) document",
                               found="other content", fix="Save it from Word as .docx, or pass "
                               "--format text if it is plain text.")
    try:
        document = docx.Document(io.BytesIO(data))
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        lines: list[str] = []
        for block in document.element.body.iterchildren():
            tag = block.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.extend(Paragraph(block, document).text.split("\n"))
            elif tag == "tbl":
                for row in Table(block, document).rows:
                    cells = [c.text.replace("\n", " ").strip() for c in row.cells]
                    lines.append("  ".join(c for c in cells if c))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, AttributeError, TypeError,
            IndexError, EOFError) as exc:
        raise ReaderError.make("E101", path=path, line=0, expected="a readable .docx document",
                               found=type(exc).__name__,
                               fix="Open and save it again in Word, or export the transcript as "
                                   "text.") from None
    except Exception as exc:  # noqa: BLE001 - lxml/zip errors of damaged files vary by version
        raise ReaderError.make("E101", path=path, line=0, expected="a readable .docx document",
                               found=type(exc).__name__,
                               fix="Open and save it again in Word, or export it as text.") from None
    return "\n".join(lines)


def read(path: str | Path, allow_unordered: bool = False, **_) -> list[Transcript]:
    text = extract_lines(read_bytes(path), path)
    if not text.strip():
        raise ReaderError.make("E004", path=path)
    return [text_reader.parse(text, path, allow_unordered=allow_unordered, fmt="docx")]
