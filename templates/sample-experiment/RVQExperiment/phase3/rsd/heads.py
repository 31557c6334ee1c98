"""RFSQ action head on top of OpenVLA-OFT hidden states (trained in Phase 2)."""
import torch
import torch.nn as nn


class RFSQActionHead(nn.Module):
    """Predicts the RFSQ codes of one residual level from the LLM's last hidden state, and embeds
    a level's codes back into the LLM's input space for the next decoding step."""

    def __init__(self, hidden_size: int = 4096, width: int = 1024, num_levels: int = 6, chunk_len: int = 8,
                 latent_dim: int = 16, codebook_size: int = 7):
        super().__init__()
        self.num_levels, self.codebook_size = num_levels, codebook_size
        self.tokens_per_level = chunk_len * latent_dim
        self.trunk = nn.Sequential(nn.Linear(hidden_size, width), nn.GELU(), nn.Linear(width, width))
        self.level_embed = nn.Embedding(num_levels, width)
        self.out = nn.Linear(width, self.tokens_per_level * codebook_size)
        self.token_proj = nn.Linear(self.tokens_per_level, hidden_size)

    def forward(self, hidden: torch.Tensor, level: int) -> torch.Tensor:
        """hidden: [B, H] -> logits [B, tokens_per_level, codebook_size]."""
        lvl = torch.tensor([level], device=hidden.device)
        x = self.trunk(hidden) + self.level_embed(lvl)
        return self.out(x).view(hidden.shape[0], self.tokens_per_level, self.codebook_size)

    def embed_tokens(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens: [B, tokens_per_level] -> [B, 1, H] input embedding for the LLM."""
        x = tokens.float() / (self.codebook_size - 1)
        return self.token_proj(x.to(self.token_proj.weight.dtype)).unsqueeze(1)
