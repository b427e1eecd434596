"""Small helpers for the reader tests (not a test module)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ta_nlp.errors import TaNlpError


def write(folder: Path, name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


def raises(code: str, func, *args, **kwargs) -> TaNlpError:
    with pytest.raises(TaNlpError) as info:
        func(*args, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value
