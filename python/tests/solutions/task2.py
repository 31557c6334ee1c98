# Body of TASK 2 (load_draft_model). Inserted between the TASK 2 markers, indented to match.
checkpoint = torch.load(DRAFT_MODEL_PATH, map_location="cpu")
state_dict = checkpoint.get("model_state_dict", checkpoint)
config = checkpoint.get("config", {})
# Saved from a DataParallel wrapper: keys start with "module.".
state_dict = {k.removeprefix("module."): v for k, v in state_dict.items()}
draft_model = DraftModel.from_config(config) if config else DraftModel()
draft_model.load_state_dict(state_dict)
draft_model = draft_model.to(device, dtype=torch.bfloat16).eval()
print(f"Loaded draft model from {DRAFT_MODEL_PATH} (epoch {checkpoint.get('epoch', '?')}, "
      f"{sum(p.numel() for p in draft_model.parameters()) / 1e6:.1f}M parameters)")
return draft_model
