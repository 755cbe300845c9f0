"""The intent network (torch): the MiniLM encoder, mean pooling over the tokens, L2 normalisation and a linear head.

The shipped MiniLM was trained for sentence similarity with mean pooling, so its pooled, normalised embedding already
separates intents; a head over it is a cosine classifier. Training starts the head at the class prototypes (each
intent's mean embedding, see :meth:`IntentNetwork.init_head_from_prototypes`): the untrained network is a
nearest-centroid classifier (~79 % held-out accuracy on the project's data), and five epochs reach what twelve epochs
from a random head over the [CLS] token did not. Only training, the torch runtime and the ONNX export import this
module; serving runs the exported graph.

Saved as the encoder's own files (``config.json``, ``model.safetensors``) plus ``HEAD_FILE`` beside them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

HEAD_FILE = "intent_head.safetensors"
PROTOTYPE_SCALE = 20.0  # logit = scale x cosine: softmax over cosines this sharp is confident on the prototypes


class IntentNetwork(nn.Module):
    """Token ids (with the previous action as segment B) in, intent logits out."""

    def __init__(self, encoder: nn.Module, num_labels: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.config.hidden_size, num_labels)

    @classmethod
    def from_encoder(cls, encoder_dir: Path, num_labels: int, **encoder_options: Any) -> IntentNetwork:
        """A new head over a pre-trained encoder (the head still needs :meth:`init_head_from_prototypes` or training)."""
        from transformers import AutoModel

        return cls(AutoModel.from_pretrained(encoder_dir, add_pooling_layer=False, **encoder_options), num_labels)

    @classmethod
    def load(cls, model_dir: Path, **encoder_options: Any) -> IntentNetwork:
        """A network saved by :meth:`save`."""
        from safetensors.torch import load_file

        head = load_file(str(model_dir / HEAD_FILE))
        network = cls.from_encoder(model_dir, head["weight"].shape[0], **encoder_options)
        network.head.load_state_dict(head)
        return network.eval()

    def save(self, model_dir: Path) -> None:
        from safetensors.torch import save_file

        self.encoder.save_pretrained(model_dir)
        save_file({k: v.contiguous() for k, v in self.head.state_dict().items()}, str(model_dir / HEAD_FILE))

    def get_input_embeddings(self) -> nn.Module:
        return self.encoder.get_input_embeddings()

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
              token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        """The unit-length mean of the token states (padding excluded), one row per input."""
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        return F.normalize((states * mask).sum(1) / mask.sum(1).clamp(min=1), dim=-1)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.embed(input_ids, attention_mask, token_type_ids))

    @torch.no_grad()
    def init_head_from_prototypes(self, batches: list[tuple[dict[str, torch.Tensor], torch.Tensor]]) -> None:
        """Set each intent's head row to its mean embedding over ``batches`` (inputs, label ids), unit length times
        ``PROTOTYPE_SCALE``; bias 0. Intents without examples keep their random row."""
        was_training = self.training
        self.eval()
        sums = torch.zeros_like(self.head.weight)
        counts = torch.zeros(sums.shape[0], device=sums.device)
        for inputs, targets in batches:
            sums.index_add_(0, targets, self.embed(**inputs))
            counts.index_add_(0, targets, torch.ones_like(targets, dtype=counts.dtype))
        seen = counts > 0
        self.head.weight[seen] = F.normalize(sums[seen], dim=-1) * PROTOTYPE_SCALE
        self.head.bias.zero_()
        self.train(was_training)
