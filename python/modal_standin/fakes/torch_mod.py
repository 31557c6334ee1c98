"""Builds the fake `torch` package: tensor factories, torch.load/save over the simulated
checkpoint format, torch.cuda with simulated memory, torch.nn and torch.nn.functional."""
from __future__ import annotations

import contextlib
import functools
import json
import os
import pickle
import types

from ..sim import GIB, MIB, STATE, OutOfMemory
from . import nn as nn_mod
from . import tensor as T
from .pathmap import remap

CHECKPOINT_MAGIC = "modal-standin-checkpoint"
CUDA_CONTEXT_BYTES = int(0.61 * GIB)   # CUDA context + MuJoCo EGL context
VIRTUAL_FILES: dict[str, object] = {}  # files that exist only inside fake packages (LIBERO init states)


class OutOfMemoryError(RuntimeError):
    pass


OutOfMemoryError.__module__ = "torch"


def ensure_cuda_context() -> None:
    if not STATE.in_container:
        raise AssertionError("Torch not compiled with CUDA enabled")
    if not STATE.cuda_context_done:
        STATE.cuda_context_done = True
        STATE.gpu.alloc(CUDA_CONTEXT_BYTES)


def oom_error(request: int) -> OutOfMemoryError:
    g = STATE.gpu
    free = max(0, g.total - g.allocated - g.reserved_extra)
    return OutOfMemoryError(
        f"CUDA out of memory. Tried to allocate {request / MIB:.2f} MiB. GPU 0 has a total capacity of "
        f"{g.total / GIB:.2f} GiB of which {free / MIB:.2f} MiB is free. Process {os.getpid() % 90000 + 1000} has "
        f"{(g.allocated + g.reserved_extra) / GIB:.2f} GiB memory in use. Of the allocated memory "
        f"{g.allocated / GIB:.2f} GiB is allocated by PyTorch, and {g.reserved_extra / MIB:.2f} MiB is reserved "
        "by PyTorch but unallocated. If reserved but unallocated memory is large try setting "
        "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for "
        "Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)")


def gpu_alloc(nbytes: int, chunk: int = 0) -> None:
    """Allocate on the simulated GPU, in chunks like a forward pass does, raising torch's OOM."""
    ensure_cuda_context()
    chunk = chunk or nbytes
    done = 0
    while done < nbytes:
        step = min(chunk, nbytes - done)
        try:
            STATE.gpu.alloc(step)
        except OutOfMemory:
            STATE.gpu.free(done)
            raise oom_error(step) from None
        done += step


# -- factories ---------------------------------------------------------------------------
def _dev(device):
    d = T.device(device) if device is not None else T.CPU
    if d.type == "cuda":
        ensure_cuda_context()
    return d


def tensor(data, dtype=None, device=None, requires_grad=False):
    if isinstance(data, T.Tensor):
        return data.to(device or data.device, dtype or data.dtype)
    flat = T._flatten(data)
    shape = T._shape_of(data)
    if dtype is None:
        if all(isinstance(v, bool) for v in flat) and flat:
            dtype = T.bool_
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in flat):
            dtype = T.int64
        else:
            dtype = T.float32
    return T.Tensor(shape, dtype, _dev(device), flat)


def _shape_args(shape):
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else tuple(shape)


def _filled(value, shape, dtype, device):
    shape = _shape_args(shape)
    n = T._numel(shape)
    data = [value] * n if n <= 65536 else None
    return T.Tensor(shape, dtype or T.float32, _dev(device), data)


def zeros(*shape, dtype=None, device=None, **kw): return _filled(0.0, shape, dtype, device)
def ones(*shape, dtype=None, device=None, **kw): return _filled(1.0, shape, dtype, device)
def empty(*shape, dtype=None, device=None, **kw): return _filled(0.0, shape, dtype, device)
def full(shape, value, dtype=None, device=None, **kw): return _filled(value, (shape,), dtype, device)
def randn(*shape, dtype=None, device=None, **kw): return T.Tensor(_shape_args(shape), dtype or T.float32, _dev(device))
rand = randn
def zeros_like(t, **kw): return _filled(0.0, (t.shape,), kw.get("dtype") or t.dtype, kw.get("device") or t.device)
def ones_like(t, **kw): return _filled(1.0, (t.shape,), kw.get("dtype") or t.dtype, kw.get("device") or t.device)


def arange(start, end=None, step=1, dtype=None, device=None):
    if end is None:
        start, end = 0, start
    vals = list(range(start, end, step))
    return T.Tensor((len(vals),), dtype or T.int64, _dev(device), vals)


def _join(tensors, dim, new_axis):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList" if new_axis else "torch.cat(): expected a non-empty list of Tensors")
    first = tensors[0]
    for t in tensors[1:]:
        if t.device.type != first.device.type:
            raise RuntimeError("Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!")
    nd = len(first.shape) + (1 if new_axis else 0)
    d = dim % nd
    if new_axis:
        for t in tensors:
            if t.shape != first.shape:
                raise RuntimeError(f"stack expects each tensor to be equal size, but got {first.shape} at entry 0 and {t.shape} at entry {tensors.index(t)}")
        shape = first.shape[:d] + (len(tensors),) + first.shape[d:]
    else:
        shape = list(first.shape)
        shape[d] = sum(t.shape[d] for t in tensors)
        shape = tuple(shape)
    data = None
    if d == 0 and all(t.data is not None for t in tensors):
        data = [v for t in tensors for v in t.data]
    return T.Tensor(shape, first.dtype, first.device, data, T._merge_meta(*tensors))


def cat(tensors, dim=0): return _join(tensors, dim, False)
def stack(tensors, dim=0): return _join(tensors, dim, True)


def equal(a, b):
    return a.shape == b.shape and bool((a == b).all().item())


def argmax(t, dim=None, keepdim=False): return t.argmax(dim, keepdim)
def softmax(t, dim=-1, dtype=None): return t.softmax(dim)
def sign(t): return t.sign()
def clamp(t, min=None, max=None): return t.clamp(min, max)  # noqa: A002
def from_numpy(arr): return tensor(arr.tolist())
def as_tensor(data, dtype=None, device=None): return tensor(data, dtype, device)
def is_tensor(x): return isinstance(x, T.Tensor)
def manual_seed(seed): return None
def set_grad_enabled(mode): return contextlib.nullcontext()
def get_default_dtype(): return T.float32
def compile(model=None, **kw): return model if model is not None else (lambda m: m)  # noqa: A001


class _GradMode(contextlib.ContextDecorator):
    def __init__(self, fn=None, *a, **k):
        self._fn = fn

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, fn=None, *a, **k):
        if self._fn is not None and fn is not None:
            return self._fn(fn, *a, **k)
        target = fn if fn is not None else self._fn

        @functools.wraps(target)
        def wrapper(*args, **kwargs):
            return target(*args, **kwargs)
        return wrapper


no_grad = inference_mode = _GradMode


# -- serialization -----------------------------------------------------------------------
_UNPICKLE_MSG = (
    "Weights only load failed. This file can still be loaded, to do so you have two options, \x1b[1mdo those steps "
    "only if you trust the source of the checkpoint\x1b[0m. \n\t(1) In PyTorch 2.6, we changed the default value of "
    "the `weights_only` argument in `torch.load` from `False` to `True`. Re-running `torch.load` with `weights_only` "
    "set to `False` will likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source.\n\t(2) Alternatively, to load with `weights_only=True` please check the recommended "
    "steps in the following error message.\n\tWeightsUnpickler error: Unsupported global: GLOBAL "
    "numpy.core.multiarray._reconstruct was not an allowed global by default. Please use "
    "`torch.serialization.add_safe_globals([_reconstruct])` or the "
    "`torch.serialization.safe_globals([_reconstruct])` context manager to allowlist this global if you trust this "
    "class/function.\n\nCheck the documentation of torch.load to learn more about types accepted by default with "
    "weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")


def _decode(obj, role, device):
    if isinstance(obj, dict):
        if "__tensor__" in obj:
            dt = T.DTYPES[obj.get("dtype", "float32")]
            return T.Tensor(tuple(obj["__tensor__"]), dt, device, obj.get("data"), {"role": role})
        return {k: _decode(v, role, device) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v, role, device) for v in obj]
    return obj


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **kw):
    path = os.fspath(f)
    if path in VIRTUAL_FILES:
        content = VIRTUAL_FILES[path]
        if weights_only is not False and getattr(content, "needs_pickle", False):
            raise pickle.UnpicklingError(_UNPICKLE_MSG)
        STATE.clock.advance(0.05)
        return content
    real = remap(path)
    try:
        with open(real, "rb") as fh:
            raw = fh.read()
    except OSError as e:
        e.filename = path
        raise
    try:
        doc = json.loads(raw.decode("utf-8"))
        if doc.get("magic") != CHECKPOINT_MAGIC:
            raise ValueError
    except (ValueError, UnicodeDecodeError, AttributeError):
        raise pickle.UnpicklingError(f"invalid load key, '{chr(raw[0]) if raw else '?'}'.") from None
    device = T.CPU
    if map_location is not None and not callable(map_location) and not isinstance(map_location, dict):
        device = T.device(map_location)
        if device.type == "cuda":
            ensure_cuda_context()
    STATE.clock.advance(1.5 + doc.get("size_mb", 10) / 800.0)
    return _decode(doc["content"], doc.get("role", "main"), device)


def _encode(obj):
    if isinstance(obj, T.Tensor):
        return {"__tensor__": list(obj.shape), "dtype": obj.dtype.name}
    if isinstance(obj, dict):
        return {str(k): _encode(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_encode(v) for v in obj]
    if isinstance(obj, (int, float, str, bool)) or obj is None:
        return obj
    return repr(obj)


def save(obj, f, **kw):
    path = remap(os.fspath(f))
    doc = {"magic": CHECKPOINT_MAGIC, "layout": "saved", "role": "main", "content": _encode(obj)}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)


# -- torch.cuda --------------------------------------------------------------------------
class _Props:
    name = "NVIDIA A100-SXM4-40GB"
    major, minor, multi_processor_count = 8, 0, 108

    @property
    def total_memory(self):
        return STATE.gpu.total


def _cuda_module(name):
    m = types.ModuleType(name)
    m.is_available = lambda: STATE.in_container
    m.device_count = lambda: 1 if STATE.in_container else 0
    m.current_device = lambda: 0
    m.set_device = lambda d: None

    def get_device_name(d=None):
        ensure_cuda_context()
        return _Props.name

    m.get_device_name = get_device_name
    m.get_device_properties = lambda d=None: _Props()
    m.memory_allocated = lambda d=None: STATE.gpu.allocated
    m.max_memory_allocated = lambda d=None: STATE.gpu.peak
    m.memory_reserved = lambda d=None: STATE.gpu.allocated + STATE.gpu.reserved_extra
    m.mem_get_info = lambda d=None: (STATE.gpu.total - STATE.gpu.allocated, STATE.gpu.total)
    m.empty_cache = lambda: None
    m.synchronize = lambda d=None: None
    m.reset_peak_memory_stats = lambda d=None: setattr(STATE.gpu, "peak", STATE.gpu.allocated)
    m.manual_seed = m.manual_seed_all = lambda s: None
    m.OutOfMemoryError = OutOfMemoryError
    return m


def build() -> dict[str, types.ModuleType]:
    torch = types.ModuleType("torch")
    torch.__version__ = "2.6.0+cu124"
    torch.__file__ = "/usr/local/lib/python3.11/site-packages/torch/__init__.py"
    for name in ("Tensor", "Size", "dtype", "device", "float32", "float16", "bfloat16", "float64",
                 "int64", "int32", "uint8"):
        setattr(torch, name, getattr(T, name))
    torch.bool = T.bool_
    torch.float, torch.half, torch.long, torch.double = T.float32, T.float16, T.int64, T.float64
    for fn in (tensor, zeros, ones, empty, full, randn, rand, zeros_like, ones_like, arange, cat, stack,
               equal, argmax, softmax, sign, clamp, from_numpy, as_tensor, is_tensor, manual_seed,
               set_grad_enabled, get_default_dtype, compile, load, save):
        setattr(torch, fn.__name__, fn)
    torch.no_grad = torch.inference_mode = no_grad
    torch.OutOfMemoryError = OutOfMemoryError
    cuda = _cuda_module("torch.cuda")
    torch.cuda = cuda
    nn = types.ModuleType("torch.nn")
    for name in ("Module", "Parameter", "Linear", "Embedding", "LayerNorm", "ReLU", "GELU", "SiLU", "Tanh",
                 "Sigmoid", "Identity", "Dropout", "Sequential", "ModuleList", "ModuleDict"):
        setattr(nn, name, getattr(nn_mod, name))
    F = types.ModuleType("torch.nn.functional")
    for name in ("relu", "gelu", "silu", "tanh", "sigmoid", "dropout", "normalize", "layer_norm"):
        setattr(F, name, lambda x, *a, **k: x._new())
    F.softmax = F.log_softmax = lambda x, dim=-1, **k: x._new()
    F.linear = lambda x, w, b=None: nn_mod.Linear.forward(types.SimpleNamespace(
        weight=w, in_features=w.shape[1], out_features=w.shape[0]), x)
    nn.functional = F
    torch.nn = nn
    ser = types.ModuleType("torch.serialization")
    ser.add_safe_globals = lambda globs: None
    ser.safe_globals = lambda globs: contextlib.nullcontext()
    torch.serialization = ser
    backends = types.SimpleNamespace(cuda=types.SimpleNamespace(matmul=types.SimpleNamespace(allow_tf32=False)),
                                     cudnn=types.SimpleNamespace(allow_tf32=False, benchmark=False))
    torch.backends = backends
    return {"torch": torch, "torch.cuda": cuda, "torch.nn": nn, "torch.nn.functional": F,
            "torch.serialization": ser}
