"""Residual speculative decoding (RSD) over the RFSQ levels of an action chunk.

Without a draft model, the main model decodes the residual levels one after the other (one LLM
step per level). With a draft model, the draft proposes every remaining level at once from the
main model's hidden state and the main model verifies all proposals in a single forward pass;
the longest agreeing prefix is kept, the first disagreeing level is taken from the main model,
and drafting resumes from there. Verification makes the output identical to main-only decoding.
"""
import time

import torch

from .openvla import build_prompt
from .stats import InferenceStats


class RSDEngine:
    def __init__(self, vla, processor, rfsq_head, rfsq_decoder, draft_model=None, device="cuda",
                 use_speculative_decoding=True, num_levels=6, compute_dtype=torch.bfloat16):
        self.vla, self.processor = vla, processor
        self.head, self.decoder = rfsq_head, rfsq_decoder
        self.device = torch.device(device)
        self.num_levels = num_levels
        self.compute_dtype = compute_dtype
        if use_speculative_decoding and draft_model is None:
            print("RSDEngine: speculative decoding requested without a draft model; decoding with the main model only")
        self.draft_model = draft_model if use_speculative_decoding else None
        self.stats = InferenceStats()
        # Hidden states come out of the LLM in its compute dtype; the heads may use another one.
        self.head_dtype = next(iter(rfsq_head.parameters())).dtype
        self.draft_dtype = next(iter(draft_model.parameters())).dtype if self.draft_model is not None else None

    # -- helpers ---------------------------------------------------------------------------
    def _main_level(self, hidden, level):
        """Codes of one residual level from a main-model hidden state [B, H] -> [B, tokens]."""
        return self.head(hidden.to(self.head_dtype), level).argmax(dim=-1)

    def _step(self, embeds, cache):
        out = self.vla(inputs_embeds=embeds.to(self.compute_dtype), past_key_values=cache,
                       output_hidden_states=True, use_cache=True)
        return out.hidden_states[-1], out.past_key_values

    # -- decoding --------------------------------------------------------------------------
    @torch.no_grad()
    def predict_action_chunk(self, image, task_description):
        """One policy query: camera image + instruction -> list of chunk_len actions (7 floats each).

        The gripper dimension is returned as the model emits it (0 = close, 1 = open); LIBERO
        needs normalize_gripper_action + invert_gripper_action (see rsd.actions)."""
        start = time.perf_counter()
        draft_s = 0.0
        inputs = self.processor(build_prompt(task_description), image, return_tensors="pt")
        inputs = inputs.to(self.device, dtype=self.compute_dtype)
        out = self.vla(**inputs, output_hidden_states=True, use_cache=True)
        cache = out.past_key_values
        hidden = out.hidden_states[-1][:, -1, :]
        levels = [self._main_level(hidden, 0)]
        while len(levels) < self.num_levels:
            k = len(levels)
            if self.draft_model is None:
                states, cache = self._step(self.head.embed_tokens(levels[-1]), cache)
                hidden = states[:, -1, :]
                levels.append(self._main_level(hidden, k))
                continue
            t0 = time.perf_counter()
            logits = self.draft_model(hidden.to(self.draft_dtype))
            proposals = logits.argmax(dim=-1)[:, k:]              # [B, L-k, tokens]
            draft_s += time.perf_counter() - t0
            n = proposals.shape[1]
            # Verify: feed the last decided level and the first n-1 proposals in one pass.
            feed = [self.head.embed_tokens(levels[-1])]
            feed += [self.head.embed_tokens(proposals[:, i]) for i in range(n - 1)]
            states, cache = self._step(torch.cat(feed, dim=1), cache)
            checked = torch.stack([self._main_level(states[:, i], k + i) for i in range(n)], dim=1)
            agree = (proposals == checked).all(dim=-1)[0].tolist()
            ok = next((i for i, a in enumerate(agree) if not a), n)
            self.stats.record_proposals(n, ok)
            levels += [proposals[:, i] for i in range(ok)]
            if ok < n:
                levels.append(checked[:, ok])                      # the main model's correction
            hidden = states[:, min(ok, n - 1), :]
        tokens = torch.stack(levels, dim=1)                          # [B, L, tokens]
        actions = self.decoder.decode_tokens(tokens.to(self.device))[0]
        chunk = [list(map(float, a)) for a in actions.float().cpu().tolist()]
        self.stats.record_step(time.perf_counter() - start, draft_s)
        return chunk
