"""Fake `transformers`: AutoModelForVision2Seq / AutoProcessor for the OpenVLA-OFT checkpoints,
BitsAndBytesConfig, with simulated download time, GPU memory and per-call latency."""
from __future__ import annotations

import sys
import types

from ..sim import GIB, MIB, STATE
from . import nn as nn_mod
from . import tensor as T
from . import world
from .torch_mod import ensure_cuda_context, gpu_alloc

KNOWN_MODELS = {
    "moojink/openvla-7b-oft-finetuned-libero-spatial", "moojink/openvla-7b-oft-finetuned-libero-object",
    "moojink/openvla-7b-oft-finetuned-libero-goal", "moojink/openvla-7b-oft-finetuned-libero-10",
    "openvla/openvla-7b",
}
HIDDEN = 4096
LAYERS = 32
SEQ = 300            # prompt tokens + 256 patch tokens

# Simulation figures (not measurements), per weight format:
#   weights: GPU bytes of the 7.5B model; act: peak working memory of one forward with
#   output_hidden_states=True (eager attention, all layers' states kept for the RSD heads);
#   prefill / step: latency on an A100 in seconds.
FORMATS = {
    "4bit": {"weights": 3.92 * GIB, "act": 2.06 * GIB, "prefill": 0.024, "step": 0.0112},
    "8bit": {"weights": 7.35 * GIB, "act": 3.10 * GIB, "prefill": 0.041, "step": 0.0150},
    "bfloat16": {"weights": 14.07 * GIB, "act": 25.20 * GIB, "prefill": 0.017, "step": 0.0060},
    "float16": {"weights": 14.07 * GIB, "act": 25.20 * GIB, "prefill": 0.017, "step": 0.0060},
    "float32": {"weights": 28.14 * GIB, "act": 25.20 * GIB, "prefill": 0.052, "step": 0.0190},
}
CPU_PREFILL_S, CPU_STEP_S = 9.5, 3.1
DOWNLOAD_S, LOAD_S = 78.0, 31.0

DEPRECATION = ("The `load_in_4bit` and `load_in_8bit` arguments are deprecated and will be removed in the future "
               "versions. Please, pass a `BitsAndBytesConfig` object in `quantization_config` argument instead.")


def _remote_code_error(name):
    return ValueError(
        f"Loading {name} requires you to execute the configuration file in that repo on your local machine. "
        "Make sure you have read the code there to avoid malicious use, then set the option "
        "`trust_remote_code=True` to remove this error.")


def _check_name(name):
    if name not in KNOWN_MODELS:
        raise OSError(
            f"{name} is not a local folder and is not a valid model identifier listed on "
            "'https://huggingface.co/models'\nIf this is a private repository, make sure to pass a token having "
            "permission to this repo either by logging in with `huggingface-cli login` or by passing "
            "`token=<your_token>`")


class BitsAndBytesConfig:
    def __init__(self, load_in_8bit=False, load_in_4bit=False, bnb_4bit_compute_dtype=None,
                 bnb_4bit_quant_type="fp4", bnb_4bit_use_double_quant=False, **kwargs):
        if load_in_4bit and load_in_8bit:
            raise ValueError("load_in_4bit and load_in_8bit are both True, but only one can be used at the same time")
        self.load_in_4bit, self.load_in_8bit = load_in_4bit, load_in_8bit
        self.bnb_4bit_compute_dtype = bnb_4bit_compute_dtype
        self.bnb_4bit_quant_type = bnb_4bit_quant_type
        self.bnb_4bit_use_double_quant = bnb_4bit_use_double_quant

    def __repr__(self):
        return f"BitsAndBytesConfig(load_in_4bit={self.load_in_4bit}, load_in_8bit={self.load_in_8bit})"


class ModelOutput(dict):
    """A dict whose keys read as attributes, like transformers' outputs and batch features."""

    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError:
            raise AttributeError(k) from None


class _Cache:
    def __init__(self, length):
        self.length = length

    def get_seq_length(self):
        return self.length


class OpenVLAForActionPrediction(nn_mod.Module):
    def __init__(self, name, fmt, dev, dtype_):
        super().__init__()
        self.name_or_path = name
        self.fmt = fmt
        self._device = dev
        self._dtype = dtype_
        self.config = types.SimpleNamespace(hidden_size=HIDDEN, num_hidden_layers=LAYERS, model_type="openvla",
                                            vocab_size=32064, name_or_path=name)
        self.is_loaded_in_4bit = fmt == "4bit"
        self.is_loaded_in_8bit = fmt == "8bit"
        self.hf_device_map = {"": 0} if dev.type == "cuda" else {"": "cpu"}

    @property
    def device(self):
        return self._device

    @property
    def dtype(self):
        return self._dtype

    def get_memory_footprint(self):
        return int(FORMATS[self.fmt]["weights"])

    def to(self, *args, **kwargs):
        if self.fmt in ("4bit", "8bit"):
            raise ValueError(
                f"`.to` is not supported for `{self.fmt[0]}-bit` bitsandbytes models. Please use the model as it "
                "is, since the model has already been set to the correct devices and casted to the correct `dtype`.")
        moved = T.Tensor((1,), self._dtype, self._device).to(*args, **kwargs)
        if moved.device.type == "cuda" and self._device.type != "cuda":
            gpu_alloc(int(FORMATS[self.fmt]["weights"]), int(500 * MIB))
        self._device = moved.device
        if moved.dtype is not self._dtype and self._device.type == "cpu":
            self._dtype = moved.dtype
            self.fmt = moved.dtype.name
        return self

    def cuda(self, *a):
        return self.to("cuda")

    def parameters(self, recurse=True):
        yield T.Tensor((HIDDEN,), self._dtype, self._device, None, {"role": "pretrained"})

    def forward(self, input_ids=None, attention_mask=None, pixel_values=None, inputs_embeds=None,
                past_key_values=None, output_hidden_states=False, use_cache=None, labels=None, **kwargs):
        first = next((t for t in (inputs_embeds, pixel_values, input_ids) if isinstance(t, T.Tensor)), None)
        if first is None:
            raise ValueError("You have to specify either input_ids or inputs_embeds")
        for t in (input_ids, pixel_values, inputs_embeds):
            if isinstance(t, T.Tensor) and t.device.type != self._device.type:
                raise RuntimeError("Expected all tensors to be on the same device, but found at least two devices, "
                                   "cuda:0 and cpu! (when checking argument for argument index in method "
                                   "wrapper_CUDA__index_select)")
        prefill = past_key_values is None
        if prefill and pixel_values is None:
            raise ValueError("OpenVLA requires `pixel_values` for the first forward pass")
        new = first.shape[1] if inputs_embeds is not None else SEQ
        f = FORMATS[self.fmt]
        if self._device.type == "cuda":
            act = int(f["act"] if prefill else f["act"] * 0.1)
            gpu_alloc(act, int(324 * MIB))
            STATE.gpu.free(act)
            dt = f["prefill"] if prefill else f["step"] * (1 + 0.06 * max(0, new - 1))
        else:
            dt = CPU_PREFILL_S if prefill else CPU_STEP_S
        STATE.clock.advance(dt * STATE.jitter())
        meta = T._merge_meta(pixel_values if prefill else inputs_embeds)
        if meta is None or meta.get("src") != "garbage":
            meta = {"obs": (meta or {}).get("obs"), "src": "main"}
        B = first.shape[0]
        hdt = T.bfloat16 if self.fmt != "float32" else T.float32
        out = ModelOutput(logits=T.Tensor((B, new, 32064), hdt, self._device, None, meta),
                          past_key_values=_Cache((past_key_values.length if past_key_values else 0) + new))
        if output_hidden_states:
            h = T.Tensor((B, new, HIDDEN), hdt, self._device, None, meta)
            out["hidden_states"] = (h,) * (LAYERS + 1)   # one shared tensor per layer
        return out


class AutoModelForVision2Seq:
    _registry: dict = {}

    @classmethod
    def register(cls, config_class, model_class, exist_ok=False):
        cls._registry[config_class] = model_class

    @classmethod
    def from_pretrained(cls, name, *args, trust_remote_code=False, quantization_config=None,
                        load_in_4bit=False, load_in_8bit=False, torch_dtype=None, dtype=None,
                        device_map=None, low_cpu_mem_usage=None, attn_implementation=None, **kwargs):
        name = str(name)
        _check_name(name)
        if not trust_remote_code and not cls._registry:
            raise _remote_code_error(name)
        if load_in_4bit or load_in_8bit:
            print(DEPRECATION, file=sys.stderr, flush=True)
            if quantization_config is not None:
                raise ValueError("You can't pass `load_in_4bit`or `load_in_8bit` as a kwarg when passing "
                                 "`quantization_config` argument at the same time.")
            quantization_config = BitsAndBytesConfig(load_in_4bit=load_in_4bit, load_in_8bit=load_in_8bit)
        dt = torch_dtype if torch_dtype is not None else dtype
        if dt == "auto":
            dt = T.bfloat16
        dt = dt if isinstance(dt, T.dtype) else T.float32
        if quantization_config is not None and (quantization_config.load_in_4bit or quantization_config.load_in_8bit):
            ensure_cuda_context()
            fmt = "4bit" if quantization_config.load_in_4bit else "8bit"
            on_gpu = True
        else:
            fmt = dt.name
            on_gpu = device_map is not None and str(device_map) not in ("cpu", "{'': 'cpu'}")
        STATE.clock.advance(DOWNLOAD_S)
        shards = 3 if fmt in ("4bit", "8bit", "bfloat16", "float16") else 6
        print(f"Loading checkpoint shards: 100%|██████████| {shards}/{shards} [00:{int(LOAD_S):02d}<00:00, "
              f"{LOAD_S / shards:.2f}s/it]", file=sys.stderr, flush=True)
        STATE.clock.advance(LOAD_S)
        dev = T.device("cuda") if on_gpu else T.CPU
        if on_gpu:
            gpu_alloc(int(FORMATS[fmt]["weights"]), int(500 * MIB))
        return OpenVLAForActionPrediction(name, fmt, dev, dt if fmt not in ("4bit", "8bit") else T.float16)


AutoModelForCausalLM = AutoModelForVision2Seq


class BatchFeature(ModelOutput):
    def to(self, *args, **kwargs):
        dev = next((a for a in args if not isinstance(a, T.dtype)), kwargs.get("device"))
        dt = next((a for a in args if isinstance(a, T.dtype)), kwargs.get("dtype"))
        out = BatchFeature()
        for k, v in self.items():
            if isinstance(v, T.Tensor):
                v = v.to(dev) if dev is not None else v
                if dt is not None and v.dtype.is_floating_point:
                    v = v.to(dt)
            out[k] = v
        return out


class PrismaticProcessor:
    def __init__(self, name):
        self.name_or_path = name
        self.tokenizer = types.SimpleNamespace(pad_token_id=32000, eos_token_id=2)

    def __call__(self, text=None, images=None, return_tensors="pt", **kwargs):
        if isinstance(text, world.FakeImage) and not isinstance(images, world.FakeImage):
            text, images = images, text
        if not isinstance(text, str):
            raise TypeError("text input must of type `str` (single example) or `List[str]` (batch)")
        if not isinstance(images, world.FakeImage):
            raise ValueError("Invalid image type. Expected either PIL.Image.Image, numpy.ndarray or torch.Tensor, "
                             f"but got {type(images).__name__}.")
        STATE.clock.advance(0.003)
        obs = images.obs[:4] + (images.flipped, images.obs[5])
        n = 16 + len(text.split())
        return BatchFeature(
            input_ids=T.Tensor((1, n), T.int64, T.CPU, None, None),
            attention_mask=T.Tensor((1, n), T.bool_, T.CPU, None, None),
            pixel_values=T.Tensor((1, 6, 224, 224), T.float32, T.CPU, None, {"obs": obs, "src": None}))


class AutoProcessor:
    @classmethod
    def from_pretrained(cls, name, *args, trust_remote_code=False, **kwargs):
        name = str(name)
        _check_name(name)
        if not trust_remote_code and not AutoModelForVision2Seq._registry:
            raise _remote_code_error(name)
        STATE.clock.advance(1.2)
        return PrismaticProcessor(name)


class AutoConfig:
    _registry: dict = {}

    @classmethod
    def register(cls, model_type, config_class, exist_ok=False):
        cls._registry[model_type] = config_class


class AutoImageProcessor(AutoConfig):
    pass


def build() -> dict[str, types.ModuleType]:
    AutoModelForVision2Seq._registry = {}
    AutoConfig._registry = {}
    m = types.ModuleType("transformers")
    m.__version__ = "4.40.1"
    for obj in (BitsAndBytesConfig, AutoModelForVision2Seq, AutoProcessor, AutoConfig, AutoImageProcessor,
                BatchFeature):
        setattr(m, obj.__name__, obj)
    m.AutoModelForCausalLM = AutoModelForCausalLM
    m.PreTrainedModel = nn_mod.Module
    m.set_seed = lambda s: None
    return {"transformers": m}
