"""Residual Speculative Decoding (RSD) for OpenVLA-OFT with an RFSQ action tokenizer."""
from .actions import action_chunk_to_list, postprocess_action
from .draft import DraftModel
from .engine import RSDEngine
from .heads import RFSQActionHead
from .openvla import build_prompt, register_openvla
from .rfsq import RFSQ, ActionRFSQAE
from .stats import InferenceStats

__all__ = ["ActionRFSQAE", "RFSQ", "RFSQActionHead", "DraftModel", "RSDEngine", "InferenceStats",
           "register_openvla", "build_prompt", "postprocess_action", "action_chunk_to_list"]
