# Body of TASK 1 (load_main_model). Inserted between the TASK 1 markers, indented to match.
register_openvla()
# 4-bit weights: the bf16 model (~14 GiB) plus the activations of a forward pass with all hidden
# states do not fit on a 40 GB A100. The quantization_config form replaces load_in_4bit=True.
quantization = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16,
                                  bnb_4bit_quant_type="nf4")
processor = AutoProcessor.from_pretrained(BASE_MODEL, trust_remote_code=True)
vla = AutoModelForVision2Seq.from_pretrained(
    BASE_MODEL,
    quantization_config=quantization,
    torch_dtype=torch.bfloat16,
    device_map="auto",
    low_cpu_mem_usage=True,
    trust_remote_code=True,
)
vla.eval()
print(f"Loaded main model {BASE_MODEL} (4-bit), GPU memory {torch.cuda.memory_allocated() / 2**30:.2f} GiB")

# The RFSQ head checkpoint may be a bare state dict or a training checkpoint.
checkpoint = torch.load(RFSQ_HEAD_PATH, map_location="cpu")
print(f"RFSQ head checkpoint keys: {list(checkpoint)[:4]}...")
if "model_state_dict" in checkpoint:
    state_dict = checkpoint["model_state_dict"]
elif "rfsq_head" in checkpoint:
    state_dict = checkpoint["rfsq_head"]
else:
    state_dict = checkpoint
rfsq_head = RFSQActionHead(hidden_size=vla.config.hidden_size)
rfsq_head.load_state_dict(state_dict)
rfsq_head = rfsq_head.to(device, dtype=torch.bfloat16).eval()
print(f"Loaded RFSQ head from {RFSQ_HEAD_PATH}")
return vla, processor, rfsq_head
