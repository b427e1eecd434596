"""Batch coding: segment transcripts, code every clinician unit, count behaviours per encounter.

``code(paths, out=DIR)`` is what ``ta-nlp code`` runs. It reads like :func:`ta_nlp.segment.segment`,
codes each transcript with a coder (``rules``, ``model`` or ``ensemble``), and writes

- ``DIR/utterances.csv``: the segment columns, one 0/1 column per code, then ``evidence`` (JSON:
  code -> list of {pattern, start, end}); patient rows carry 0s;
- ``DIR/encounters.csv``: the segment timing columns plus ``<code>_n``, ``<code>_per100`` (per 100
  clinician units), ``<code>_per10min`` (when timed) and ``<code>_present`` for every code;
- ``DIR/errors.csv`` when any input failed, and ``DIR/manifest.json`` (inputs with content hashes,
  toolkit version, coder and its configuration) so results can be cited and reproduced.

Runs are resumable: each coded transcript is kept in ``DIR/parts/`` under a key made of the coder's
configuration and the transcript's content, so a re-run skips what is already coded and an
interrupted run loses nothing already written. Transcripts are coded in batches of whole
transcripts (about :data:`BATCH_ROWS` utterances, one ``code_frame`` call each: the rule coder
analyses a batch's texts at once), and every transcript's part is written as soon as its batch is
done. ``workers=N`` codes batches in N processes; the output is identical whatever N.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ta_nlp import __version__
from ta_nlp.codes import CODES
from ta_nlp.errors import CoderError
from ta_nlp.io import atomic_write_bytes, atomic_write_csv, atomic_write_json, file_sha256
from ta_nlp.model import UTTERANCE_COLUMNS

#: Coders that ``coder=`` accepts by name.
CODER_NAMES: tuple[str, ...] = ("rules", "model", "ensemble")
#: The coder used when none is named: the most accurate on the annotated test split
#: (macro-F1 0.804 vs model 0.771 and rules 0.768; see docs/evaluation.md). Without the optional
#: model dependencies the default falls back to the rules, with a warning.
DEFAULT_CODER = "ensemble"

#: Columns of the coded utterances table: the segment columns, the codes, then evidence.
CODED_COLUMNS: tuple[str, ...] = (*UTTERANCE_COLUMNS, *CODES, "evidence")
#: Count columns added to the encounters table, per code and in this order.
COUNT_SUFFIXES: tuple[str, ...] = ("n", "per100", "per10min", "present")

MANIFEST = "manifest.json"
PARTS = "parts"


@dataclass
class CodeResult:
    """What :func:`code` returns (and writes when ``out`` is given)."""

    utterances: pd.DataFrame
    encounters: pd.DataFrame
    errors: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    n_reused: int = 0


# --------------------------------------------------------------------------- coders

def make_coder(coder: str | Any | None = None, **options) -> Any:
    """A coder object from its name (``rules``, ``model``, ``ensemble``; None = default) or as is.

    A coder has ``name``, ``config`` (JSON-able dict) and ``code_frame(utterances) -> frame``.
    """
    if coder is None:
        coder = DEFAULT_CODER
        if coder != "rules" and not _model_dependencies_available():
            import warnings

            warnings.warn("torch/transformers/peft are not installed: coding with the rules. "
                          "Install them (see README) for the more accurate default ensemble.",
                          stacklevel=2)
            coder = "rules"
    if not isinstance(coder, str):
        return coder
    if coder == "rules":
        from ta_nlp.rules import RuleCoder

        return RuleCoder(**options)
    if coder in ("model", "ensemble"):
        try:
            from ta_nlp.classifier import EnsembleCoder, ModelCoder
        except ImportError as exc:  # torch / transformers missing
            raise CoderError.make("E305", missing=getattr(exc, "name", None) or str(exc)) from exc
        return ModelCoder(**options) if coder == "model" else EnsembleCoder(**options)
    raise CoderError.make("E302", found=coder, expected=", ".join(CODER_NAMES))


def _model_dependencies_available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) is not None
               for name in ("torch", "transformers", "peft"))


def coder_fingerprint(coder: Any) -> str:
    """A short hash of the coder's name, configuration and the toolkit version."""
    blob = json.dumps({"name": coder.name, "config": coder.config, "version": __version__},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- counting

def count_codes(coded: pd.DataFrame, encounters: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-encounter counts of every code from a coded utterances table.

    Adds ``<code>_n``, ``<code>_per100`` (per 100 clinician units), ``<code>_per10min`` (per 10
    minutes of encounter, NaN when untimed) and ``<code>_present`` (count >= 1) to ``encounters``
    (one row per transcript; built from ``coded`` when not given). Encounters with no clinician
    units get rates of NaN.
    """
    clin = coded[coded["role"] == "clinician"]
    order = list(dict.fromkeys(coded["transcript_id"]))
    counts = clin.groupby("transcript_id", sort=False)[list(CODES)].sum().reindex(order).fillna(0)
    n_units = clin.groupby("transcript_id", sort=False).size().reindex(order).fillna(0)
    if encounters is None:
        encounters = pd.DataFrame({"transcript_id": order})
    base = encounters.drop(columns=[c for c in encounters.columns
                                    if any(c == f"{k}_{s}" for k in CODES for s in COUNT_SUFFIXES)])
    keyed = base.set_index("transcript_id")
    if "duration_s" in keyed.columns:
        minutes10 = pd.to_numeric(keyed["duration_s"], errors="coerce") / 600.0
    else:
        minutes10 = pd.Series(np.nan, index=keyed.index)
    columns: dict[str, pd.Series] = {}
    units = n_units.reindex(keyed.index)
    for code in CODES:
        n = counts[code].reindex(keyed.index).fillna(0).astype(int)
        columns[f"{code}_n"] = n
        with np.errstate(divide="ignore", invalid="ignore"):
            columns[f"{code}_per100"] = (100.0 * n / units).where(units > 0)
            columns[f"{code}_per10min"] = (n / minutes10).where(minutes10 > 0)
        columns[f"{code}_present"] = (n >= 1).astype(int)
    extra = pd.DataFrame(columns, index=keyed.index)
    return pd.concat([keyed, extra], axis=1).reset_index()


# --------------------------------------------------------------------------- parts (resume)

def _safe_name(transcript_id: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", transcript_id)[:80]
    return f"{name}-{hashlib.sha1(transcript_id.encode()).hexdigest()[:8]}"


def _content_key(frame: pd.DataFrame, fingerprint: str) -> str:
    cols = ["utterance_id", "speaker", "role", "start", "end", "text"]
    digest = hashlib.sha256(fingerprint.encode())
    digest.update(pd.util.hash_pandas_object(frame[cols], index=False).to_numpy().tobytes())
    return digest.hexdigest()[:20]


def _part_path(out: Path, transcript_id: str, key: str) -> Path:
    return out / PARTS / f"{_safe_name(transcript_id)}.{key}.parquet"


# --------------------------------------------------------------------------- workers

_WORKER_CODER: Any = None


def _init_worker(coder_name: str, coder_options: dict) -> None:
    global _WORKER_CODER
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    _WORKER_CODER = make_coder(coder_name, **coder_options)


def _code_in_worker(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    return list(code_frames(_WORKER_CODER, frames))


def _code_frame(coder: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """Code one transcript's utterances; return the coded table with :data:`CODED_COLUMNS`."""
    frame = frame.reset_index(drop=True)
    codes = coder.code_frame(frame)
    coded = pd.concat([frame[list(UTTERANCE_COLUMNS)], codes[list(CODES) + ["evidence"]]
                       .reset_index(drop=True)], axis=1)
    for code in CODES:
        coded[code] = coded[code].fillna(0).astype(int)
    return coded[list(CODED_COLUMNS)]


#: Rows (utterances) per batch of transcripts coded with one ``code_frame`` call.
BATCH_ROWS = 4000


def batches(frames: Sequence[pd.DataFrame], rows: int = BATCH_ROWS
            ) -> list[list[pd.DataFrame]]:
    """Consecutive groups of whole transcripts, each of about ``rows`` utterances."""
    out: list[list[pd.DataFrame]] = []
    current: list[pd.DataFrame] = []
    size = 0
    for frame in frames:
        current.append(frame)
        size += len(frame)
        if size >= rows:
            out.append(current)
            current, size = [], 0
    if current:
        out.append(current)
    return out


def code_frames(coder: Any, frames: Sequence[pd.DataFrame], rows: int = BATCH_ROWS):
    """Code transcripts one after the other (yields each coded table, :data:`CODED_COLUMNS`).

    Transcripts are coded in batches of about ``rows`` utterances (one ``code_frame`` call on
    the batch, cut back into transcripts): the rule coder analyses a batch's texts at once, which
    is several times faster than one transcript at a time, and the model coders fill their
    inference batches; the output is the same.
    """
    for batch in batches(frames, rows):
        if len(batch) == 1:
            yield _code_frame(coder, batch[0])
            continue
        coded = _code_frame(coder, pd.concat(batch, ignore_index=True))
        at = 0
        for frame in batch:
            yield coded.iloc[at:at + len(frame)].reset_index(drop=True)
            at += len(frame)


# --------------------------------------------------------------------------- main entry

def code(paths: str | Path | Sequence[str | Path], out: str | Path | None = None,
         coder: str | Any | None = None, workers: int = 1, force: bool = False,
         coder_options: dict | None = None, progress: Callable[[int, int], None] | None = None,
         **read_options) -> CodeResult:
    """Segment and code transcripts; count behaviours per encounter.

    ``paths``: files and folders (read recursively, as ``ta-nlp segment``); ``read_options`` go to
    :func:`ta_nlp.segment.segment` (``format``, ``columns``, ``roles``, ``roles_file``, ...).
    ``coder``: ``"rules"``, ``"model"``, ``"ensemble"``, a coder object, or None for
    :data:`DEFAULT_CODER`. ``out``: folder to write to (resumable; see module docs). ``force``
    starts again in a folder coded with another configuration. ``progress(done, total)`` is called
    after each transcript. Returns a :class:`CodeResult`.
    """
    from ta_nlp.segment import segment

    if isinstance(paths, (str, Path)):
        paths = [paths]
    coder_options = dict(coder_options or {})
    coder_obj = make_coder(coder, **coder_options)
    fingerprint = coder_fingerprint(coder_obj)
    out_dir = Path(out) if out is not None else None
    if out_dir is not None:
        _check_previous_run(out_dir, fingerprint, coder_obj, force)

    seg = segment(list(paths), workers=workers, **read_options)
    utterances = seg.utterances
    groups = [(tid, frame) for tid, frame in utterances.groupby("transcript_id", sort=False)]
    total = len(groups)

    coded_parts: dict[str, pd.DataFrame] = {}
    todo: list[tuple[str, pd.DataFrame, Path | None]] = []
    n_reused = 0
    for tid, frame in groups:
        part = None
        if out_dir is not None:
            part = _part_path(out_dir, tid, _content_key(frame, fingerprint))
            if part.exists():
                try:
                    coded_parts[tid] = pd.read_parquet(part)
                    n_reused += 1
                    continue
                except Exception:  # a damaged part is coded again
                    part.unlink(missing_ok=True)
        todo.append((tid, frame, part))

    done = n_reused
    if progress:
        progress(done, total)

    def keep(tid: str, coded: pd.DataFrame, part: Path | None) -> None:
        nonlocal done
        coded_parts[tid] = coded
        if part is not None:
            atomic_write_bytes(part, coded.to_parquet(index=False))
        done += 1
        if progress:
            progress(done, total)

    import multiprocessing

    # The rule coder (given by name or as an object) is plain Python and spaCy: forked workers
    # inherit the loaded coder. Other coders by name run in fresh interpreters (torch does not
    # survive fork safely); other coder objects run here, in one process.
    forked = (getattr(coder_obj, "name", None) == "rules"
              and "fork" in multiprocessing.get_all_start_methods())
    if workers > 1 and len(todo) > 1 and (forked or isinstance(coder, (str, type(None)))):
        global _WORKER_CODER
        if forked:
            ctx, init, initargs = multiprocessing.get_context("fork"), None, ()
            _WORKER_CODER = coder_obj
        else:
            # torch does not survive fork safely: fresh interpreters load their own coder.
            ctx, init = multiprocessing.get_context("spawn"), _init_worker
            initargs = (coder or DEFAULT_CODER, coder_options)
        # batches of whole transcripts: about 4 per worker, at most BATCH_ROWS rows each
        n_rows = sum(len(f) for _, f, _ in todo)
        size = max(1, min(BATCH_ROWS, n_rows // (workers * 4)))
        jobs = batches([f for _, f, _ in todo], size)
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init,
                                     initargs=initargs) as pool:
                at = 0
                for coded_batch in pool.map(_code_in_worker, jobs):
                    for coded in coded_batch:
                        tid, _frame, part = todo[at]
                        keep(tid, coded, part)
                        at += 1
        finally:
            _WORKER_CODER = None
    else:
        for (tid, _frame, part), coded in zip(todo, code_frames(coder_obj,
                                                                  [f for _, f, _ in todo])):
            keep(tid, coded, part)

    ordered = [coded_parts[tid] for tid, _ in groups]
    coded_all = (pd.concat(ordered, ignore_index=True) if ordered
                 else pd.DataFrame(columns=list(CODED_COLUMNS)))
    encounters = count_codes(coded_all, seg.encounters)
    manifest = _manifest(paths, seg, coder_obj, fingerprint, read_options, coded_all, n_reused)
    result = CodeResult(utterances=coded_all, encounters=encounters, errors=seg.errors,
                        manifest=manifest, n_reused=n_reused)
    if out_dir is not None:
        _write(out_dir, result)
    return result


def _check_previous_run(out: Path, fingerprint: str, coder: Any, force: bool) -> None:
    path = out / MANIFEST
    if not path.exists():
        return
    try:
        previous = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return
    old = previous.get("coder", {}).get("fingerprint")
    if old and old != fingerprint and not force:
        raise CoderError.make("E306", path=out, found=f"coder {previous['coder'].get('name')} "
                              f"fingerprint {old}", expected=f"coder {coder.name} fingerprint "
                              f"{fingerprint}")
    if old and old != fingerprint and force:
        for part in (out / PARTS).glob("*.parquet"):
            part.unlink()


def _input_files(paths: Iterable[str | Path], encounters: pd.DataFrame) -> list[dict[str, Any]]:
    files: dict[str, None] = {}
    if "source" in encounters.columns:
        for value in encounters["source"].dropna().astype(str):
            for item in value.split(";"):
                if item:
                    files.setdefault(item, None)
    entries = []
    for name in files:
        path = Path(name)
        entries.append({"path": name, "sha256": file_sha256(path) if path.is_file() else None,
                        "bytes": path.stat().st_size if path.is_file() else None})
    return entries


def _manifest(paths, seg, coder, fingerprint, read_options, coded, n_reused) -> dict[str, Any]:
    import platform

    return {
        "toolkit": "ta-nlp",
        "version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "command_paths": [str(p) for p in paths],
        "read_options": {k: v for k, v in read_options.items() if v is not None},
        "coder": {"name": coder.name, "fingerprint": fingerprint, "config": coder.config},
        "codes": list(CODES),
        "inputs": _input_files(paths, seg.encounters),
        "n_transcripts": int(coded["transcript_id"].nunique()) if len(coded) else 0,
        "n_utterances": len(coded),
        "n_clinician_units": int((coded["role"] == "clinician").sum()) if len(coded) else 0,
        "n_errors": len(seg.errors),
        "n_reused_from_previous_run": int(n_reused),
    }


def _write(out: Path, result: CodeResult) -> None:
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_csv(out / "utterances.csv", result.utterances)
    atomic_write_csv(out / "encounters.csv", result.encounters)
    errors_path = out / "errors.csv"
    if len(result.errors):
        atomic_write_csv(errors_path, result.errors)
    elif errors_path.exists():
        errors_path.unlink()
    atomic_write_json(out / MANIFEST, result.manifest)

