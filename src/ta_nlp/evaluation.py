"""Coding accuracy against human coders, and agreement between coders.

``evaluate(gold, pred)`` compares predicted codes with gold labels unit by unit (per-code precision,
recall, F1, support and Cohen's kappa; micro and macro averages) and encounter by encounter
(Spearman between predicted and gold counts per transcript, presence accuracy), with bootstrap 95%
intervals that resample transcripts. ``agreement(a, b)`` gives per-code Cohen's kappa and
Krippendorff's alpha between two coders.

Gold and predictions are label tables keyed by ``transcript_id`` and ``utterance_id`` with one 0/1
column per code. :func:`load_labels` reads them from a labels CSV, an annotated table, a
``ta-nlp code`` output (``utterances.csv``; clinician rows), an authored corpus file
(``data/annotated/pt/*.txt``) or a folder of any of those.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ta_nlp.codes import CODES
from ta_nlp.errors import AnnotationError, TaNlpError
from ta_nlp.io import atomic_write_csv, atomic_write_text

KEY = ["transcript_id", "utterance_id"]

#: Columns of the per-code table returned by :func:`evaluate` (rows: codes, then micro, macro).
UNIT_COLUMNS: tuple[str, ...] = (
    "code", "support", "n_pred", "tp", "fp", "fn", "precision", "recall", "f1", "kappa",
    "f1_ci_low", "f1_ci_high", "kappa_ci_low", "kappa_ci_high",
)
#: Columns of the encounter-level table returned by :func:`evaluate`.
ENCOUNTER_COLUMNS: tuple[str, ...] = (
    "code", "n_encounters", "gold_mean_n", "pred_mean_n", "spearman_rho", "rho_ci_low",
    "rho_ci_high", "presence_accuracy", "presence_ci_low", "presence_ci_high",
)
#: Columns of the table returned by :func:`agreement`.
AGREEMENT_COLUMNS: tuple[str, ...] = (
    "code", "n_units", "a_positive", "b_positive", "percent_agreement", "kappa", "alpha",
)


# --------------------------------------------------------------------------- loading labels

def _label_frame(frame: pd.DataFrame, path: str | Path, codes: Sequence[str]) -> pd.DataFrame:
    """Normalise a table to KEY + code columns (ints), clinician rows only when roles are known."""
    missing = [c for c in KEY if c not in frame.columns]
    if missing:
        raise AnnotationError.make(
            "E104", path=path, missing=", ".join(missing), found=", ".join(map(str, frame.columns)),
            fix="A labels table needs transcript_id, utterance_id and one 0/1 column per code.")
    present = [c for c in codes if c in frame.columns]
    if not present:
        raise AnnotationError.make(
            "E104", path=path, missing=", ".join(codes), found=", ".join(map(str, frame.columns)),
            fix="Add one 0/1 column per code, named exactly as the code.")
    if "role" in frame.columns:
        frame = frame[frame["role"] == "clinician"]
    out = frame[KEY].astype(str).copy()
    for code in codes:
        if code in frame.columns:
            values = pd.to_numeric(frame[code], errors="coerce")
            bad = values.isna() | ~values.isin([0, 1])
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0])
                raise AnnotationError.make(
                    "E401", path=path, line=row + 2,
                    message=f"column {code} must be 0 or 1, found {frame[code].iloc[row]!r}. "
                            "Fix the value (1 = code present).")
            out[code] = values.astype(int).to_numpy()
        else:
            out[code] = 0
    if out.duplicated(KEY).any():
        dup = out[out.duplicated(KEY)].iloc[0]
        raise AnnotationError.make(
            "E407", path=path,
            message=f"utterance {dup['transcript_id']}/{dup['utterance_id']} appears twice. "
                    "Keep one row per utterance.")
    return out.reset_index(drop=True)


def _read_one(path: Path, codes: Sequence[str]) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".txt":
        from ta_nlp.corpus import read_annotated

        return _label_frame(read_annotated(path), path, codes)
    if suffix in (".csv", ".tsv"):
        frame = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", dtype={
            "transcript_id": str, "utterance_id": str})
    elif suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif suffix in (".jsonl", ".json"):
        frame = pd.read_json(path, lines=suffix == ".jsonl", dtype={
            "transcript_id": str, "utterance_id": str})
    else:
        raise AnnotationError.make(
            "E401", path=path, line=1,
            message=f"unsupported labels file type '{suffix}'. Use CSV, TSV, JSONL, Parquet or an "
                    "authored .txt corpus file.")
    return _label_frame(frame, path, codes)


def load_labels(source: str | Path | pd.DataFrame, codes: Sequence[str] = CODES) -> pd.DataFrame:
    """Read gold or predicted labels into a frame of ``transcript_id, utterance_id, <codes>``.

    ``source`` is a DataFrame, a file (labels CSV/TSV/JSONL/Parquet, annotated table, ``ta-nlp
    code`` utterances table, authored ``.txt`` corpus file) or a folder of such files (recursive;
    ``README.md``, ``FORMAT.md`` and ``splits.csv`` are ignored).
    """
    if isinstance(source, pd.DataFrame):
        return _label_frame(source, "<DataFrame>", codes)
    path = Path(source)
    if not path.exists():
        raise AnnotationError.make("E001", path=path)
    if path.is_file():
        return _read_one(path, codes)
    files = sorted(p for p in path.glob("*") if p.is_file()
                   and p.suffix.lower() in (".csv", ".tsv", ".jsonl", ".parquet", ".txt")
                   and p.name not in ("splits.csv",) and not p.name.startswith("."))
    if not files:
        raise AnnotationError.make("E004", path=path)
    frames = [_read_one(p, codes) for p in files]
    frame = pd.concat(frames, ignore_index=True)
    return _label_frame(frame, path, codes)


# --------------------------------------------------------------------------- metrics

def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa for two binary ratings; NaN when chance agreement is 1 (both constant)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    n = a.size
    if n == 0:
        return float("nan")
    po = float(np.mean(a == b))
    pa, pb = a.mean(), b.mean()
    pe = pa * pb + (1 - pa) * (1 - pb)
    if np.isclose(pe, 1.0):
        return float("nan")
    return (po - pe) / (1 - pe)


def krippendorff_alpha_nominal(a: np.ndarray, b: np.ndarray) -> float:
    """Krippendorff's alpha (nominal) for two coders who rated every unit.

    With a coincidence matrix o (each unit adds both ordered pairs of its two values),
    alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k, n = 2 * units.
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if a.size == 0:
        return float("nan")
    values = np.concatenate([a, b])
    n = values.size
    categories, counts = np.unique(values, return_counts=True)
    if categories.size < 2:
        return float("nan")
    disagree_observed = 2.0 * np.sum(a != b)  # o_ck + o_kc over units that disagree
    expected = float(n * n - np.sum(counts.astype(float) ** 2))  # sum_{c != k} n_c n_k
    return 1.0 - (n - 1) * disagree_observed / expected


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    if tp + fp + fn == 0:
        f1 = float("nan")
    else:
        f1 = 2 * tp / (2 * tp + fp + fn)
    return precision, recall, f1


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 3 or np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan")
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


@dataclass
class EvaluationResult:
    """Tables of :func:`evaluate`: ``units`` (per code + micro/macro) and ``encounters``."""

    units: pd.DataFrame
    encounters: pd.DataFrame
    n_units: int
    n_transcripts: int

    def to_markdown(self, title: str = "Coding accuracy") -> str:
        return _markdown_report(self, title)


def _align(gold: pd.DataFrame, pred: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    merged = gold.merge(pred, on=KEY, how="inner", suffixes=("_gold", "_pred"))
    if merged.empty:
        raise TaNlpError.make("E402", gold=len(gold), pred=len(pred))
    return merged


def _unit_stats(g: np.ndarray, p: np.ndarray) -> tuple[float, float, float, float, float]:
    """tp, fp, fn, f1, kappa for one code over aligned 0/1 arrays."""
    tp = float(np.sum((g == 1) & (p == 1)))
    fp = float(np.sum((g == 0) & (p == 1)))
    fn = float(np.sum((g == 1) & (p == 0)))
    f1 = _prf(tp, fp, fn)[2]
    return tp, fp, fn, f1, cohen_kappa(g, p)


def evaluate(gold: str | Path | pd.DataFrame, pred: str | Path | pd.DataFrame,
             out: str | Path | None = None, codes: Sequence[str] = CODES, n_boot: int = 1000,
             seed: int = 0, title: str = "Coding accuracy") -> EvaluationResult:
    """Compare predicted with gold labels; optionally write ``units.csv``, ``encounters.csv`` and
    ``report.md`` to ``out``.

    Only utterances present in both tables are scored (the inner join on transcript_id and
    utterance_id). Bootstrap intervals (percentile, ``n_boot`` resamples, seeded) resample whole
    transcripts with replacement, so they reflect between-encounter variation.
    """
    codes = list(codes)
    gold_frame = load_labels(gold, codes)
    pred_frame = load_labels(pred, codes)
    merged = _align(gold_frame, pred_frame, codes)
    g = merged[[f"{c}_gold" for c in codes]].to_numpy(dtype=int)
    p = merged[[f"{c}_pred" for c in codes]].to_numpy(dtype=int)
    transcripts = merged["transcript_id"].to_numpy()
    uniq, inverse = np.unique(transcripts, return_inverse=True)
    n_t = uniq.size

    # Per-transcript sufficient statistics make the bootstrap cheap: tp/fp/fn/n and kappa cells.
    def per_transcript(mask_g: np.ndarray, mask_p: np.ndarray) -> np.ndarray:
        stats = np.zeros((n_t, 4, len(codes)))  # tp, fp, fn, tn
        for j in range(len(codes)):
            gg, pp = mask_g[:, j], mask_p[:, j]
            stats[:, 0, j] = np.bincount(inverse, (gg == 1) & (pp == 1), minlength=n_t)
            stats[:, 1, j] = np.bincount(inverse, (gg == 0) & (pp == 1), minlength=n_t)
            stats[:, 2, j] = np.bincount(inverse, (gg == 1) & (pp == 0), minlength=n_t)
            stats[:, 3, j] = np.bincount(inverse, (gg == 0) & (pp == 0), minlength=n_t)
        return stats

    cells = per_transcript(g, p)

    def summarise(cell_sum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        tp, fp, fn, tn = cell_sum
        with np.errstate(invalid="ignore", divide="ignore"):
            f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
            n = tp + fp + fn + tn
            po = (tp + tn) / n
            pg, pp = (tp + fn) / n, (tp + fp) / n
            pe = pg * pp + (1 - pg) * (1 - pp)
            kappa = np.where(np.isclose(pe, 1.0), np.nan, (po - pe) / (1 - pe))
        return f1, kappa

    rng = np.random.default_rng(seed)
    boot_f1 = np.full((n_boot, len(codes) + 2), np.nan)
    boot_kappa = np.full((n_boot, len(codes)), np.nan)
    for b in range(n_boot):
        idx = rng.integers(0, n_t, n_t)
        cell_sum = cells[idx].sum(axis=0)
        f1, kappa = summarise(cell_sum)
        boot_f1[b, : len(codes)] = f1
        boot_kappa[b] = kappa
        tp, fp, fn, _ = cell_sum.sum(axis=1)
        boot_f1[b, len(codes)] = 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else np.nan
        boot_f1[b, len(codes) + 1] = np.nanmean(f1) if np.any(~np.isnan(f1)) else np.nan

    def ci(samples: np.ndarray) -> tuple[float, float]:
        samples = samples[~np.isnan(samples)]
        if samples.size < max(10, n_boot // 10):
            return float("nan"), float("nan")
        return float(np.percentile(samples, 2.5)), float(np.percentile(samples, 97.5))

    rows = []
    for j, code in enumerate(codes):
        tp, fp, fn, f1, kappa = _unit_stats(g[:, j], p[:, j])
        precision, recall, _ = _prf(tp, fp, fn)
        f1_lo, f1_hi = ci(boot_f1[:, j])
        k_lo, k_hi = ci(boot_kappa[:, j])
        rows.append([code, int(tp + fn), int(tp + fp), int(tp), int(fp), int(fn), precision, recall,
                     f1, kappa, f1_lo, f1_hi, k_lo, k_hi])
    tp, fp, fn = (float(np.sum(x)) for x in ((g == 1) & (p == 1), (g == 0) & (p == 1),
                                                (g == 1) & (p == 0)))
    mp, mr, mf = _prf(tp, fp, fn)
    lo, hi = ci(boot_f1[:, len(codes)])
    rows.append(["micro", int(tp + fn), int(tp + fp), int(tp), int(fp), int(fn), mp, mr, mf,
                 float("nan"), lo, hi, float("nan"), float("nan")])
    per_code = pd.DataFrame(rows[:-1], columns=UNIT_COLUMNS)
    lo, hi = ci(boot_f1[:, len(codes) + 1])
    rows.append(["macro", int(per_code["support"].sum()), int(per_code["n_pred"].sum()),
                 int(per_code["tp"].sum()), int(per_code["fp"].sum()), int(per_code["fn"].sum()),
                 per_code["precision"].mean(), per_code["recall"].mean(), per_code["f1"].mean(),
                 per_code["kappa"].mean(), lo, hi, float("nan"), float("nan")])
    units = pd.DataFrame(rows, columns=UNIT_COLUMNS)

    encounters = _encounter_table(g, p, inverse, n_t, codes, rng, n_boot, ci)
    result = EvaluationResult(units=units, encounters=encounters, n_units=len(merged),
                              n_transcripts=int(n_t))
    if out is not None:
        out = Path(out)
        atomic_write_csv(out / "units.csv", units)
        atomic_write_csv(out / "encounters.csv", encounters)
        atomic_write_text(out / "report.md", result.to_markdown(title))
    return result


def _encounter_table(g, p, inverse, n_t, codes, rng, n_boot, ci) -> pd.DataFrame:
    gold_counts = np.zeros((n_t, len(codes)))
    pred_counts = np.zeros((n_t, len(codes)))
    for j in range(len(codes)):
        gold_counts[:, j] = np.bincount(inverse, g[:, j], minlength=n_t)
        pred_counts[:, j] = np.bincount(inverse, p[:, j], minlength=n_t)
    rows = []
    boots = [rng.integers(0, n_t, n_t) for _ in range(n_boot)]
    for j, code in enumerate(codes):
        gc, pc = gold_counts[:, j], pred_counts[:, j]
        rho = _spearman(gc, pc)
        presence = (gc > 0) == (pc > 0)
        acc = float(presence.mean())
        rho_boot = np.array([_spearman(gc[i], pc[i]) for i in boots]) if n_t >= 3 else np.array([])
        acc_boot = np.array([presence[i].mean() for i in boots])
        r_lo, r_hi = ci(rho_boot) if rho_boot.size else (float("nan"), float("nan"))
        a_lo, a_hi = ci(acc_boot)
        rows.append([code, int(n_t), float(gc.mean()), float(pc.mean()), rho, r_lo, r_hi, acc,
                     a_lo, a_hi])
    return pd.DataFrame(rows, columns=ENCOUNTER_COLUMNS)


def _fmt(x: float, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.{digits}f}"


def _markdown_report(result: EvaluationResult, title: str) -> str:
    lines = [f"## {title}", "",
             f"{result.n_units} clinician units in {result.n_transcripts} transcripts. "
             "95% intervals: percentile bootstrap over transcripts.", "",
             "| code | support | predicted | precision | recall | F1 (95% CI) | κ (95% CI) |",
             "|---|---:|---:|---:|---:|---|---|"]
    for row in result.units.itertuples(index=False):
        lines.append(
            f"| {row.code} | {row.support} | {row.n_pred} | {_fmt(row.precision)} | "
            f"{_fmt(row.recall)} | {_fmt(row.f1)} ({_fmt(row.f1_ci_low)}–{_fmt(row.f1_ci_high)}) | "
            f"{_fmt(row.kappa)} ({_fmt(row.kappa_ci_low)}–{_fmt(row.kappa_ci_high)}) |")
    lines += ["", "Encounter level (counts per transcript):", "",
              "| code | gold mean n | predicted mean n | Spearman ρ (95% CI) | presence accuracy (95% CI) |",
              "|---|---:|---:|---|---|"]
    for row in result.encounters.itertuples(index=False):
        lines.append(
            f"| {row.code} | {_fmt(row.gold_mean_n, 1)} | {_fmt(row.pred_mean_n, 1)} | "
            f"{_fmt(row.spearman_rho)} ({_fmt(row.rho_ci_low)}–{_fmt(row.rho_ci_high)}) | "
            f"{_fmt(row.presence_accuracy)} ({_fmt(row.presence_ci_low)}–"
            f"{_fmt(row.presence_ci_high)}) |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- agreement

def agreement(coder_a: str | Path | pd.DataFrame, coder_b: str | Path | pd.DataFrame,
              out: str | Path | None = None, codes: Iterable[str] = CODES) -> pd.DataFrame:
    """Per-code agreement between two coders on the units both coded.

    Columns :data:`AGREEMENT_COLUMNS`; the last row, ``mean``, averages kappa and alpha over codes.
    Written to ``out/agreement.csv`` and ``out/agreement.md`` when ``out`` is given.
    """
    codes = list(codes)
    a = load_labels(coder_a, codes)
    b = load_labels(coder_b, codes)
    merged = _align(a, b, codes)
    rows = []
    for code in codes:
        x = merged[f"{code}_gold"].to_numpy()
        y = merged[f"{code}_pred"].to_numpy()
        rows.append([code, len(merged), int(x.sum()), int(y.sum()), float(np.mean(x == y)),
                     cohen_kappa(x, y), krippendorff_alpha_nominal(x, y)])
    table = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    mean = pd.DataFrame([["mean", len(merged), int(table["a_positive"].sum()),
                          int(table["b_positive"].sum()), table["percent_agreement"].mean(),
                          table["kappa"].mean(), table["alpha"].mean()]],
                        columns=AGREEMENT_COLUMNS)
    table = pd.concat([table, mean], ignore_index=True)
    if out is not None:
        out = Path(out)
        atomic_write_csv(out / "agreement.csv", table)
        md = ["| code | units | A positive | B positive | % agreement | Cohen's κ | Krippendorff's α |",
              "|---|---:|---:|---:|---:|---:|---:|"]
        for r in table.itertuples(index=False):
            md.append(f"| {r.code} | {r.n_units} | {r.a_positive} | {r.b_positive} | "
                      f"{_fmt(100 * r.percent_agreement, 1)} | {_fmt(r.kappa)} | {_fmt(r.alpha)} |")
        atomic_write_text(out / "agreement.md", "\n".join(md) + "\n")
    return table
