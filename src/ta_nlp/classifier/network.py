"""The network: a (LoRA-adapted) BERT-style encoder and a small multi-label head.

The head reads pooled vectors of the last hidden states (see :data:`POOLINGS`): the mean over the
whole pair and over the unit's own tokens, so it sees both the unit and how it relates to what
came before, and (default) the element-wise max over the unit's tokens, so a short cue anywhere in
a long unit ("let me *press* here") is not averaged away. Then dropout -> Linear(k*H,
head_hidden) -> GELU -> dropout -> Linear(head_hidden, n_codes). Mean pooling matches how
all-MiniLM-L6-v2 was trained (sentence-transformers mean pooling).
"""

from __future__ import annotations

import contextlib
import warnings

import torch
from torch import nn

#: Linear layers of a BERT layer that get LoRA adapters (names as in transformers' BertLayer).
LORA_TARGETS: tuple[str, ...] = ("query", "key", "value", "attention.output.dense",
                                 "intermediate.dense", "output.dense")


#: Pooling names -> the vectors concatenated for the head.
POOLINGS: dict[str, tuple[str, ...]] = {
    "mean": ("mean_all", "mean_unit"),
    "mean+max": ("mean_all", "mean_unit", "max_unit"),
}
DEFAULT_POOLING = "mean+max"


class Head(nn.Module):
    def __init__(self, hidden_size: int, n_codes: int, head_hidden: int = 256,
                 dropout: float = 0.1, pooling: str = DEFAULT_POOLING):
        super().__init__()
        self.pooling = POOLINGS[pooling]
        self.dropout = nn.Dropout(dropout)
        self.dense = nn.Linear(len(self.pooling) * hidden_size, head_hidden)
        self.act = nn.GELU()
        self.out = nn.Linear(head_hidden, n_codes)

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        return self.out(self.dropout(self.act(self.dense(self.dropout(pooled)))))


def _mean(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    mask = mask.to(hidden.dtype).unsqueeze(-1)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)


def _max(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    masked = hidden.masked_fill(mask.unsqueeze(-1) <= 0, torch.finfo(hidden.dtype).min)
    return masked.max(dim=1).values


class UnitClassifier(nn.Module):
    """Encoder + :class:`Head`; ``forward`` returns logits of shape (batch, n_codes)."""

    def __init__(self, encoder: nn.Module, head: Head):
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, input_ids, attention_mask, token_type_ids, unit_mask) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state
        return self.logits(hidden, attention_mask, unit_mask)

    def logits(self, hidden, attention_mask, unit_mask) -> torch.Tensor:
        parts = {"mean_all": lambda: _mean(hidden, attention_mask),
                 "mean_unit": lambda: _mean(hidden, unit_mask),
                 "max_unit": lambda: _max(hidden, unit_mask)}
        pooled = torch.cat([parts[name]() for name in self.head.pooling], dim=-1)
        return self.head(pooled)


# --------------------------------------------------------------------------- split encoder
# Training with adapters on the top k layers only: the bottom layers are frozen, so their output
# is computed once per unit and cached, and each step runs the top k layers alone (about
# n_layers / k times less work per step). The split uses only public forward arguments: the
# model runs with a slice of its layer list, and for the top part with ``inputs_embeds`` (the
# cached states) through a pass-through in place of the embedding module.

class _PassThrough(nn.Module):
    def forward(self, input_ids=None, position_ids=None, token_type_ids=None, inputs_embeds=None,
                **kwargs):
        return inputs_embeds


def layer_stack(encoder: nn.Module) -> tuple[nn.Module, nn.ModuleList] | None:
    """(the BERT-like model, its ``encoder.layer`` list), or None for other architectures."""
    model = encoder.get_base_model() if hasattr(encoder, "get_base_model") else encoder
    layers = getattr(getattr(model, "encoder", None), "layer", None)
    if isinstance(layers, nn.ModuleList) and isinstance(getattr(model, "embeddings", None),
                                                        nn.Module):
        return model, layers
    return None


@contextlib.contextmanager
def layer_slice(model: nn.Module, layers: nn.ModuleList, start: int, stop: int):
    """Run ``model`` with layers ``start:stop`` only; from a middle layer, the input is
    ``inputs_embeds`` = the hidden states entering layer ``start``."""
    original_layers, original_embeddings = model.encoder.layer, model.embeddings
    model.encoder.layer = nn.ModuleList(list(layers)[start:stop])
    if start > 0:
        model.embeddings = _PassThrough()
    try:
        yield model
    finally:
        model.encoder.layer = original_layers
        model.embeddings = original_embeddings


def add_lora(encoder: nn.Module, r: int, alpha: int, dropout: float, base_id: str,
             layers: list[int] | None = None):
    """Wrap ``encoder`` with PEFT LoRA adapters on :data:`LORA_TARGETS` (of the layers numbered
    ``layers``, default all); only they train."""
    from peft import LoraConfig, get_peft_model

    names = {name for name, _ in encoder.named_modules()}
    targets = [t for t in LORA_TARGETS if any(n.endswith(t) for n in names)]
    extra = {"layers_to_transform": layers, "layers_pattern": "layer"} if layers else {}
    config = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=targets,
                        bias="none", **extra)
    with warnings.catch_warnings():  # peft calls transformers APIs deprecated in transformers 5
        warnings.simplefilter("ignore", FutureWarning)
        model = get_peft_model(encoder, config)
    # Record the base as ta-nlp names it (package id, folder or hub id), not the local path.
    model.peft_config["default"].base_model_name_or_path = base_id
    return model
