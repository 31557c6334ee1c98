"""Simulated Modal volumes: folders under $MODAL_STANDIN_HOME/volumes/<name>/, seeded on first
use with the checkpoints the RSD experiment expects (stand-in checkpoint format, see README)."""
from __future__ import annotations

import json
import os

from .fakes.torch_mod import CHECKPOINT_MAGIC

SEEDED = ("rsd-models", "rsd-libero-data", "rsd-results")


def home() -> str:
    return os.path.abspath(os.environ.get("MODAL_STANDIN_HOME", ".modal-standin"))


def volume_dir(name: str) -> str:
    return os.path.join(home(), "volumes", name)


def exists(name: str) -> bool:
    return name in SEEDED or os.path.isdir(volume_dir(name))


def ensure(name: str, create: bool = True) -> str:
    path = volume_dir(name)
    if not os.path.isdir(path):
        os.makedirs(path, exist_ok=True)
        if name == "rsd-models":
            _seed_models(path)
        elif name == "rsd-libero-data":
            os.makedirs(os.path.join(path, "libero", "datasets"), exist_ok=True)
            with open(os.path.join(path, "README.txt"), "w", encoding="utf-8") as fh:
                fh.write("LIBERO assets cache (bddl files and init states ship with the LIBERO package).\n")
    return path


def _t(*shape):
    return {"__tensor__": list(shape), "dtype": "float32"}


def rfsq_head_state(hidden=4096, width=1024, levels=6, chunk=8, latent=16, codebook=7):
    return {
        "trunk.0.weight": _t(width, hidden), "trunk.0.bias": _t(width),
        "trunk.2.weight": _t(width, width), "trunk.2.bias": _t(width),
        "level_embed.weight": _t(levels, width),
        "out.weight": _t(chunk * latent * codebook, width), "out.bias": _t(chunk * latent * codebook),
        "token_proj.weight": _t(hidden, chunk * latent), "token_proj.bias": _t(hidden),
    }


def draft_state(hidden=4096, width=512, levels=6, chunk=8, latent=16, codebook=7, blocks=2):
    sd = {"in_proj.weight": _t(width, hidden), "in_proj.bias": _t(width), "level_embed.weight": _t(levels, width)}
    for b in range(blocks):
        sd.update({f"blocks.{b}.0.weight": _t(width), f"blocks.{b}.0.bias": _t(width),
                   f"blocks.{b}.1.weight": _t(4 * width, width), f"blocks.{b}.1.bias": _t(4 * width),
                   f"blocks.{b}.3.weight": _t(width, 4 * width), f"blocks.{b}.3.bias": _t(width)})
    sd.update({"out.weight": _t(levels * chunk * latent * codebook, width),
               "out.bias": _t(levels * chunk * latent * codebook)})
    return sd


def rfsq_ae_state(action_dim=7, hidden_dim=16, width=64, levels=6):
    return {
        "encoder.0.weight": _t(width, action_dim), "encoder.0.bias": _t(width),
        "encoder.2.weight": _t(hidden_dim, width), "encoder.2.bias": _t(hidden_dim),
        "decoder.0.weight": _t(width, hidden_dim), "decoder.0.bias": _t(width),
        "decoder.2.weight": _t(action_dim, width), "decoder.2.bias": _t(action_dim),
        "rfsq.level_scales": _t(levels),
    }


def _write(path, role, layout, content, size_mb):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"magic": CHECKPOINT_MAGIC, "layout": layout, "role": role, "size_mb": size_mb,
                   "content": content}, fh)


def _seed_models(root: str) -> None:
    # RFSQ action head: a bare state dict (as saved by torch.save(head.state_dict(), ...)).
    _write(os.path.join(root, "openvla_oft_rfsq", "best_model.pt"), "main", "bare_state_dict",
           rfsq_head_state(), 21)
    # Draft model: a training checkpoint with the state dict under 'model_state_dict', saved from
    # a DataParallel wrapper, so every key starts with 'module.'.
    _write(os.path.join(root, "phase2_draft_model", "best_draft_model.pt"), "draft", "training_checkpoint",
           {"model_state_dict": {f"module.{k}": v for k, v in draft_state().items()}, "epoch": 37, "val_acceptance_rate": 0.712,
            "config": {"hidden_size": 4096, "draft_dim": 512, "num_blocks": 2, "num_levels": 6,
                       "chunk_len": 8, "latent_dim": 16, "codebook_size": 7}}, 14)
    # RFSQ autoencoder (Phase 1): trained with hidden_dim=16.
    _write(os.path.join(root, "rfsq_autoencoder.pt"), "decoder", "training_checkpoint",
           {"model_state_dict": rfsq_ae_state(), "config": {"action_dim": 7, "hidden_dim": 16,
                                                           "num_levels": 6, "fsq_levels": 7, "chunk_len": 8}}, 1)
