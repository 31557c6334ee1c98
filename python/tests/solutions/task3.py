# Body of TASK 3 (build_rsd_engine). Inserted between the TASK 3 markers, indented to match.
checkpoint = torch.load(RFSQ_DECODER_PATH, map_location="cpu")
state_dict = checkpoint.get("model_state_dict", checkpoint)
# hidden_dim must match Phase 1 training (16).
rfsq_decoder = ActionRFSQAE(action_dim=7, hidden_dim=16, num_levels=6)
rfsq_decoder.load_state_dict(state_dict)
rfsq_decoder = rfsq_decoder.to(device).eval()
print(f"Loaded RFSQ decoder from {RFSQ_DECODER_PATH} (hidden_dim=16)")
engine = RSDEngine(
    vla,
    processor,
    rfsq_head,
    rfsq_decoder,
    draft_model=draft_model if use_speculative_decoding else None,
    device=device,
    use_speculative_decoding=use_speculative_decoding,
)
print(f"RSD engine ready (speculative decoding {'on' if use_speculative_decoding else 'off'})")
return engine
