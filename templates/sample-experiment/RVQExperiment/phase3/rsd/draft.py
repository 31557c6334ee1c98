"""Draft model for residual speculative decoding (trained in Phase 2).

Proposes the codes of every residual level at once from the main model's hidden state; the
main model then verifies the proposals in a single forward pass."""
import torch
import torch.nn as nn


class DraftModel(nn.Module):
    def __init__(self, hidden_size: int = 4096, draft_dim: int = 512, num_blocks: int = 2, num_levels: int = 6,
                 chunk_len: int = 8, latent_dim: int = 16, codebook_size: int = 7):
        super().__init__()
        self.num_levels, self.codebook_size = num_levels, codebook_size
        self.tokens_per_level = chunk_len * latent_dim
        self.in_proj = nn.Linear(hidden_size, draft_dim)
        self.level_embed = nn.Embedding(num_levels, draft_dim)
        self.blocks = nn.ModuleList([
            nn.Sequential(nn.LayerNorm(draft_dim), nn.Linear(draft_dim, 4 * draft_dim), nn.GELU(),
                          nn.Linear(4 * draft_dim, draft_dim))
            for _ in range(num_blocks)])
        self.out = nn.Linear(draft_dim, num_levels * self.tokens_per_level * codebook_size)

    @classmethod
    def from_config(cls, config: dict) -> "DraftModel":
        keys = ("hidden_size", "draft_dim", "num_blocks", "num_levels", "chunk_len", "latent_dim", "codebook_size")
        return cls(**{k: config[k] for k in keys if k in config})

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        """hidden: [B, H] -> logits [B, num_levels, tokens_per_level, codebook_size]."""
        x = self.in_proj(hidden)
        for block in self.blocks:
            x = x + block(x)
        logits = self.out(x)
        return logits.view(hidden.shape[0], self.num_levels, self.tokens_per_level, self.codebook_size)
