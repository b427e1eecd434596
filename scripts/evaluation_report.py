"""Regenerate docs/evaluation.md: rules vs model vs ensemble, measured, with the commands.

    python scripts/evaluation_report.py [--out docs/evaluation.md] [--n-boot 1000] [--skip-annomi]

Sections:
1. the annotated test split (data/annotated/splits.csv; team-written PT transcripts and labelled
   PriMock57 consultations), the split no coder was trained or tuned on;
2. the PriMock57 development labels (non-held-out consultations only; the rules were developed
   while reading these, so rules figures there are optimistic; model and ensemble are scored on
   the labelled consultations outside their training split);
3. zero-shot on AnnoMI (motivational-interviewing counselling, a different setting): restating ~
   reflection_exists, questions (information_gathering or clarifying_question) ~
   question_exists, education ~ therapist_input_subtype == information;
4. agreement between the two human-style coders on the double-coded subsets.
Sections needing ../shared data are skipped with a note when it is absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ta_nlp.codes import CODES  # noqa: E402
from ta_nlp.corpus import labelled_mask, load_corpus, load_splits  # noqa: E402
from ta_nlp.evaluation import agreement, evaluate  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
KEY = ["transcript_id", "utterance_id"]


def make_coders() -> dict:
    from ta_nlp.classifier import EnsembleCoder, ModelCoder
    from ta_nlp.rules import RuleCoder

    rules = RuleCoder()
    return {"rules": rules, "model": ModelCoder(), "ensemble": EnsembleCoder(rules=rules)}


def predict(coder, frame: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    start = time.perf_counter()
    parts = []
    for _, rows in frame.groupby("transcript_id", sort=False):
        rows = rows.reset_index(drop=True)
        coded = coder.code_frame(rows)
        parts.append(pd.concat([rows[KEY + ["role"]], coded[list(CODES)]], axis=1))
    return pd.concat(parts, ignore_index=True), time.perf_counter() - start


def gold_of(frame: pd.DataFrame) -> pd.DataFrame:
    gold = frame[labelled_mask(frame)][KEY + list(CODES)].copy()
    gold[list(CODES)] = gold[list(CODES)].astype(int)
    return gold


def compare_table(results: dict) -> str:
    header = "| code | " + " | ".join(f"{n} F1" for n in results) + " | " + \
             " | ".join(f"{n} κ" for n in results) + " | support |"
    lines = [header, "|---|" + "---:|" * (2 * len(results) + 1)]
    first = next(iter(results.values()))
    for code in [*CODES, "micro", "macro"]:
        cells = []
        for res in results.values():
            row = res.units.set_index("code").loc[code]
            cells.append(f"{row.f1:.3f} ({row.f1_ci_low:.2f}–{row.f1_ci_high:.2f})"
                         if not np.isnan(row.f1) else "–")
        for res in results.values():
            row = res.units.set_index("code").loc[code]
            cells.append("–" if np.isnan(row.kappa) else f"{row.kappa:.3f}")
        support = first.units.set_index("code").loc[code, "support"]
        name = f"**{code}**" if code in ("micro", "macro") else f"`{code}`"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {support} |")
    return "\n".join(lines)


def section_split(coders: dict, split: pd.DataFrame, n_boot: int, title: str) -> tuple[str, dict]:
    gold = gold_of(split)
    results, timing = {}, {}
    for name, coder in coders.items():
        pred, seconds = predict(coder, split)
        results[name] = evaluate(gold, pred, n_boot=n_boot, seed=0)
        timing[name] = seconds
    n_units = len(gold)
    n_tr = gold["transcript_id"].nunique()
    sources = split.drop_duplicates("transcript_id")["source"].value_counts().to_dict()
    macro = {n: r.units.set_index("code").loc["macro", "f1"] for n, r in results.items()}
    text = [f"## {title}", "",
            f"{n_units} clinician units in {n_tr} transcripts ({sources}). F1 with 95% "
            "percentile-bootstrap intervals over transcripts; Cohen's κ between coder and gold.", "",
            compare_table(results), "",
            "Macro-F1: " + ", ".join(f"{n} {v:.3f}" for n, v in macro.items()) + ".", "",
            "Encounter level (Spearman ρ between predicted and gold counts per transcript; "
            "presence accuracy):", "",
            "| code | " + " | ".join(f"{n} ρ | {n} presence" for n in results) + " |",
            "|---|" + "---:|" * (2 * len(results))]
    for code in CODES:
        cells = []
        for res in results.values():
            row = res.encounters.set_index("code").loc[code]
            rho = "–" if np.isnan(row.spearman_rho) else f"{row.spearman_rho:.2f}"
            cells += [rho, f"{row.presence_accuracy:.2f}"]
        text.append(f"| `{code}` | " + " | ".join(cells) + " |")
    return "\n".join(text) + "\n", {"macro": macro, "seconds": timing, "n_units": n_units}


def annomi_frames() -> tuple[pd.DataFrame, pd.DataFrame] | None:
    simple = SHARED / "annomi" / "AnnoMI-simple.csv"
    full = SHARED / "annomi" / "AnnoMI-full.csv"
    if not (simple.exists() and full.exists()):
        return None
    from ta_nlp.segment import segment

    # 8 AnnoMI transcripts have timestamps that go back 1-9 s: keep the file order for them.
    seg = segment([simple], columns={"text": "utterance_text", "speaker": "interlocutor",
                                     "start": "timestamp", "utterance_id": "utterance_id"},
                  allow_unordered=True)
    utt = seg.utterances
    labels = pd.read_csv(full)
    labels = labels[labels["interlocutor"] == "therapist"].copy()
    labels["reflection"] = labels["reflection_exists"].astype(str).eq("True").astype(int)
    labels["question"] = labels["question_exists"].astype(str).eq("True").astype(int)
    labels["information"] = labels["therapist_input_subtype"].eq("information").astype(int)
    # Seven transcripts were coded by ten annotators: majority vote (ties count as present).
    gold = (labels.groupby(["transcript_id", "utterance_id"])[["reflection", "question",
                                                                "information"]]
            .mean().ge(0.5).astype(int).reset_index())
    gold["transcript_id"] = gold["transcript_id"].astype(str)
    return utt, gold


def section_annomi(coders: dict, n_boot: int) -> str:
    frames = annomi_frames()
    if frames is None:
        return ("## Zero-shot on AnnoMI\n\nSkipped: ../shared/data/annomi is absent.\n")
    utt, gold = frames
    clin = utt[utt["role"] == "clinician"]
    n_units = len(clin)
    mapping = [("restating", "reflection", ["restating"]),
               ("questions", "question", ["information_gathering", "clarifying_question"]),
               ("education", "information", ["education"])]
    lines = ["## Zero-shot on AnnoMI (motivational interviewing; never trained or tuned on)", "",
             f"{n_units} therapist utterances in {utt['transcript_id'].nunique()} transcripts, "
             "read with `--columns text=utterance_text,speaker=interlocutor,start=timestamp,"
             "utterance_id=utterance_id --allow-unordered` "
             "(therapist → clinician, client → patient). Gold: AnnoMI-full flags, majority vote "
             "where ten annotators coded a transcript. The mapping is an external check, not an "
             "identity (AnnoMI's reflections include complex reflections that add meaning; its "
             "'information' is MI-style).", "",
             "| toolkit code(s) | AnnoMI label | coder | precision | recall | F1 (95% CI) | κ |",
             "|---|---|---|---:|---:|---|---:|"]
    for name, coder in coders.items():
        pred, _ = predict(coder, utt)
        pred = pred[pred["role"] == "clinician"].reset_index(drop=True)
        for label, gold_col, codes in mapping:
            p = pred[codes].max(axis=1).astype(int).to_numpy()
            frame_p = pd.DataFrame({"transcript_id": pred["transcript_id"].astype(str),
                                    "utterance_id": pred["utterance_id"].astype(str),
                                    label: p})
            frame_g = gold.rename(columns={gold_col: label})[["transcript_id", "utterance_id",
                                                              label]].copy()
            frame_g["utterance_id"] = frame_g["utterance_id"].astype(str)
            res = evaluate(frame_g, frame_p, codes=[label], n_boot=n_boot, seed=0)
            row = res.units.set_index("code").loc[label]
            lines.append(f"| {' or '.join(codes)} | {gold_col} | {name} | {row.precision:.3f} | "
                         f"{row.recall:.3f} | {row.f1:.3f} ({row.f1_ci_low:.2f}–"
                         f"{row.f1_ci_high:.2f}) | {row.kappa:.3f} |")
    return "\n".join(lines) + "\n"


def section_agreement() -> str:
    lines = ["## Agreement between coders (double-coded subsets)", "",
             "coder_a wrote the labels; coder_b coded the same units independently from the "
             "text alone (see data/annotated/README.md).", ""]
    pairs = [("PT corpus", ROOT / "data/annotated/pt", ROOT / "data/annotated/pt/double"),
             ("PriMock57", ROOT / "data/annotated/primock57", ROOT / "data/annotated/primock57/double")]
    for name, a_dir, b_dir in pairs:
        if not b_dir.is_dir():
            continue
        b_files = sorted(b_dir.glob("*.csv"))
        a_files = []
        for f in b_files:
            tid = f.stem
            cand = list(a_dir.glob(f"{tid}.txt")) + list(a_dir.glob(f"{tid}.csv"))
            a_files += cand
        if not a_files:
            continue
        from ta_nlp.evaluation import load_labels

        a = pd.concat([load_labels(p) for p in a_files], ignore_index=True)
        b = load_labels(b_dir)
        table = agreement(a, b)
        lines += [f"### {name}: {len(b_files)} transcripts, {int(table['n_units'].iloc[0])} units",
                  "", "| code | A positive | B positive | Cohen's κ | Krippendorff's α |",
                  "|---|---:|---:|---:|---:|"]
        for r in table.itertuples(index=False):
            k = "–" if np.isnan(r.kappa) else f"{r.kappa:.3f}"
            al = "–" if np.isnan(r.alpha) else f"{r.alpha:.3f}"
            lines.append(f"| {r.code} | {r.a_positive} | {r.b_positive} | {k} | {al} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "evaluation.md"))
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--skip-annomi", action="store_true")
    args = parser.parse_args()

    coders = make_coders()
    corpus = load_corpus(ROOT / "data" / "annotated")
    splits = load_splits(ROOT / "data" / "annotated", corpus=corpus)
    parts = ["# Coding accuracy", "",
             "Generated by `python scripts/evaluation_report.py` "
             f"(ta-nlp, n_boot={args.n_boot}); do not edit by hand.", ""]
    test_md, test_info = section_split(coders, splits["test"], args.n_boot,
                                       "Annotated test split")
    parts.append(test_md)
    parts.append("The model and the ensemble were trained on the train split and tuned on the dev "
                 "split only. The rules were written while reading the whole annotated corpus, "
                 "test split included, so their test figures are optimistic; AnnoMI (below) is "
                 "the one set no coder has seen.\n")
    best = max(test_info["macro"], key=test_info["macro"].get)
    parts.append(f"Most accurate on the test split (macro-F1): **{best}**. "
                 f"`ta-nlp code` uses `{__import__('ta_nlp.coding').coding.DEFAULT_CODER}` by "
                 "default.\n")

    primock = corpus[corpus["source"] == "primock57"]
    if len(primock):
        train_ids = set(splits["train"]["transcript_id"])
        not_train = primock[~primock["transcript_id"].isin(train_ids)]
        md, _ = section_split({"rules": coders["rules"]}, primock, args.n_boot,
                              "PriMock57 development labels, all labelled consultations (rules)")
        parts.append(md)
        parts.append("The rules were written while reading these consultations: read these "
                     "figures as development figures, not as a test.\n")
        if len(not_train):
            md, _ = section_split(coders, not_train, args.n_boot,
                                  "PriMock57 labelled consultations outside the training split")
            parts.append(md)
    else:
        parts.append("## PriMock57 development labels\n\nSkipped: ../shared/data/primock57 is "
                     "absent (the labels' text is read from it).\n")
    if not args.skip_annomi:
        parts.append(section_annomi(coders, args.n_boot))
    parts.append(section_agreement())
    parts.append("## Reproduce\n\n```bash\npython scripts/evaluation_report.py\n"
                 "ta-nlp code ../shared/data/primock57/transcripts --out out/primock --coder rules\n"
                 "ta-nlp evaluate --gold data/annotated/primock57 --pred out/primock/utterances.csv "
                 "--out out/primock-eval\n"
                 "ta-nlp agreement data/annotated/primock57 data/annotated/primock57/double\n```\n")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    from ta_nlp.io import atomic_write_text

    atomic_write_text(args.out, "\n".join(parts))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
