"""Model inputs: each clinician unit paired with the talk that came before it.

A unit is encoded as the text pair ``[CLS] context [SEP] unit [SEP]`` (token types 0 and 1), where
the context is the preceding ``context_units`` units of the same transcript, each prefixed with its
role (``patient: ...``). Sequences are at most ``max_length`` tokens: the unit keeps its first tokens
and the context its *last* ones (the words just before the unit matter most), with at least a
quarter of the budget left to the context when there is one. Text is read through
:func:`ta_nlp.corpus.model_text` (markup normalised, laughter kept as ``[laughs]``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ta_nlp.corpus import model_text


@dataclass
class Encoded:
    """Token ids per unit (lists of ints) with token types and a unit-token mask."""

    input_ids: list[list[int]]
    token_type_ids: list[list[int]]
    unit_mask: list[list[int]]

    def __len__(self) -> int:
        return len(self.input_ids)

    @property
    def lengths(self) -> np.ndarray:
        return np.fromiter((len(x) for x in self.input_ids), dtype=np.int64, count=len(self))


def unit_context(frame: pd.DataFrame, rows: np.ndarray, context_units: int) -> tuple[list[str], list[str]]:
    """Unit texts and context texts for the rows at positions ``rows`` of ``frame``.

    ``frame`` must be in document order within each transcript (rows of one transcript need not be
    contiguous across transcripts, but their relative order is the talk's order).
    """
    source = frame["text"]
    if "clean_text" in frame.columns:
        source = source.where(source.notna(), frame["clean_text"])
    texts = [model_text(t) for t in source]
    roles = frame["role"].fillna("other").astype(str).to_numpy()
    tids = frame["transcript_id"].astype(str).to_numpy()
    position_in_transcript = np.empty(len(frame), dtype=np.int64)
    members: dict[str, list[int]] = {}
    for i, tid in enumerate(tids):
        members.setdefault(tid, []).append(i)
        position_in_transcript[i] = len(members[tid]) - 1
    units, contexts = [], []
    for i in rows:
        units.append(texts[i])
        if context_units <= 0:
            contexts.append("")
            continue
        order = members[tids[i]]
        k = position_in_transcript[i]
        before = order[max(0, k - context_units):k]
        contexts.append(" ".join(f"{roles[j]}: {texts[j]}" for j in before if texts[j]))
    return units, contexts


def encode_pairs(tokenizer, units: list[str], contexts: list[str], max_length: int) -> Encoded:
    """Tokenize pairs with left-truncated context (see module doc)."""
    cls_id, sep_id = tokenizer.cls_token_id, tokenizer.sep_token_id
    unit_ids = tokenizer(units, add_special_tokens=False)["input_ids"] if units else []
    nonempty = [c for c in contexts if c]
    ctx_tok = iter(tokenizer(nonempty, add_special_tokens=False)["input_ids"] if nonempty else [])
    context_ids = [next(ctx_tok) if c else [] for c in contexts]
    budget = max(4, max_length - 3)
    out = Encoded([], [], [])
    for unit, ctx in zip(unit_ids, context_ids):
        if not ctx:
            u = unit[: max_length - 2]
            ids = [cls_id, *u, sep_id]
            types = [0] * len(ids)
            mask = [0] + [1] * len(u) + [0]
        else:
            reserve = min(len(ctx), budget // 4)
            u = unit[: budget - reserve]
            c = ctx[len(ctx) - min(len(ctx), budget - len(u)):]
            ids = [cls_id, *c, sep_id, *u, sep_id]
            types = [0] * (len(c) + 2) + [1] * (len(u) + 1)
            mask = [0] * (len(c) + 2) + [1] * len(u) + [0]
        if not any(mask):  # an empty unit: pool over the separators rather than nothing
            mask = [0] * (len(ids) - 1) + [1]
        out.input_ids.append(ids)
        out.token_type_ids.append(types)
        out.unit_mask.append(mask)
    return out


def collate(encoded: Encoded, index: np.ndarray, pad_id: int = 0):
    """Pad the units at ``index`` into torch tensors (input_ids, attention_mask, token_type_ids,
    unit_mask)."""
    import torch

    width = max(len(encoded.input_ids[i]) for i in index)
    n = len(index)
    ids = torch.full((n, width), pad_id, dtype=torch.long)
    attention = torch.zeros((n, width), dtype=torch.long)
    types = torch.zeros((n, width), dtype=torch.long)
    unit = torch.zeros((n, width), dtype=torch.float32)
    for row, i in enumerate(index):
        length = len(encoded.input_ids[i])
        ids[row, :length] = torch.tensor(encoded.input_ids[i])
        attention[row, :length] = 1
        types[row, :length] = torch.tensor(encoded.token_type_ids[i])
        unit[row, :length] = torch.tensor(encoded.unit_mask[i], dtype=torch.float32)
    return ids, attention, types, unit
