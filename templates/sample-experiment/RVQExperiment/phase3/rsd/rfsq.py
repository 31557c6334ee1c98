"""Residual finite scalar quantisation (RFSQ) autoencoder for 8-step action chunks (Phase 1)."""
import torch
import torch.nn as nn


class RFSQ(nn.Module):
    """Residual FSQ: each level quantises the residual of the previous ones to `fsq_levels` values."""

    def __init__(self, num_levels: int = 6, fsq_levels: int = 7):
        super().__init__()
        self.num_levels = num_levels
        self.fsq_levels = fsq_levels
        self.register_buffer("level_scales", torch.ones(num_levels))

    def codes_to_latent(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens: [B, L, T*D] integer codes -> latent [B, T*D] (sum of the scaled levels)."""
        half = (self.fsq_levels - 1) / 2
        codes = (tokens.float() - half) / half
        return (codes * self.level_scales.view(1, -1, 1)).sum(dim=1)


class ActionRFSQAE(nn.Module):
    """Phase 1 autoencoder. The decoder maps the quantised latent back to normalised actions.

    hidden_dim must match the checkpoint (Phase 1 was trained with hidden_dim=16)."""

    def __init__(self, action_dim: int = 7, hidden_dim: int = 16, num_levels: int = 6, fsq_levels: int = 7,
                 chunk_len: int = 8, width: int = 64):
        super().__init__()
        self.action_dim, self.hidden_dim, self.chunk_len = action_dim, hidden_dim, chunk_len
        self.encoder = nn.Sequential(nn.Linear(action_dim, width), nn.GELU(), nn.Linear(width, hidden_dim))
        self.rfsq = RFSQ(num_levels, fsq_levels)
        self.decoder = nn.Sequential(nn.Linear(hidden_dim, width), nn.GELU(), nn.Linear(width, action_dim))

    def decode_tokens(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens: [B, L, chunk_len*hidden_dim] -> actions [B, chunk_len, action_dim]."""
        latent = self.rfsq.codes_to_latent(tokens)
        latent = latent.view(tokens.shape[0], self.chunk_len, self.hidden_dim)
        return self.decoder(latent.to(self.decoder[0].weight.dtype))

    def forward(self, actions: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(actions))
