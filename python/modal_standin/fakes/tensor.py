"""Tensor-lite: shapes, dtypes and devices are real; values exist only where they are small
and needed (indices, masks, scalars). Other values are materialised on demand from `meta`:
the observation the tensor derives from and its source ('main', 'draft' or 'garbage' for
outputs of layers whose weights were never loaded)."""
from __future__ import annotations

import math
from functools import reduce

from ..sim import STATE
from . import world


class dtype:
    def __init__(self, name: str, itemsize: float, is_floating_point: bool) -> None:
        self.name, self.itemsize, self.is_floating_point = name, itemsize, is_floating_point

    def __repr__(self) -> str:
        return f"torch.{self.name}"


float32 = dtype("float32", 4, True)
float16 = dtype("float16", 2, True)
bfloat16 = dtype("bfloat16", 2, True)
float64 = dtype("float64", 8, True)
int64 = dtype("int64", 8, False)
int32 = dtype("int32", 4, False)
uint8 = dtype("uint8", 1, False)
bool_ = dtype("bool", 1, False)
DTYPES = {"float32": float32, "float": float32, "float16": float16, "half": float16,
          "bfloat16": bfloat16, "float64": float64, "double": float64, "int64": int64,
          "long": int64, "int32": int32, "int": int32, "uint8": uint8, "bool": bool_}


class device:
    def __init__(self, spec="cpu", index=None) -> None:
        if isinstance(spec, device):
            spec, index = spec.type, spec.index
        spec = str(spec)
        if ":" in spec:
            spec, idx = spec.split(":", 1)
            index = int(idx)
        if spec not in ("cpu", "cuda", "meta"):
            raise RuntimeError(f"Expected one of cpu, cuda, meta device type at start of device string: {spec}")
        self.type = spec
        self.index = 0 if spec == "cuda" and index is None else index

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        return f"device(type='{self.type}'" + ("" if self.index is None else f", index={self.index}") + ")"

    def __eq__(self, other) -> bool:
        return str(self) == str(device(other)) if isinstance(other, (str, device)) else False

    def __hash__(self) -> int:
        return hash(str(self))


CPU = device("cpu")


class Size(tuple):
    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(d) for d in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        return reduce(lambda a, b: a * b, self, 1)


def _numel(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _merge_meta(*items):
    obs = None
    src = None
    rank = {"garbage": 3, "main": 2, "draft": 1}
    for t in items:
        m = getattr(t, "meta", None)
        if not m:
            continue
        if obs is None:
            obs = m.get("obs")
        s = m.get("src")
        if s and (src is None or rank.get(s, 0) > rank.get(src, 0)):
            src = s
    if obs is None and src is None:
        return None
    return {"obs": obs, "src": src}


def broadcast(a, b):
    a, b = tuple(a), tuple(b)
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + a
    b = (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                               f"at non-singleton dimension {len(out)}")
        out.append(max(x, y))
    return tuple(out)


def _nest(flat, shape):
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return list(flat[: shape[0]])
    step = _numel(shape[1:])
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def _flatten(x):
    if isinstance(x, (list, tuple)):
        out = []
        for v in x:
            out.extend(_flatten(v))
        return out
    if hasattr(x, "tolist") and not isinstance(x, Tensor):
        return _flatten(x.tolist())
    return [x]


def _shape_of(x):
    if isinstance(x, (list, tuple)):
        return (len(x),) + (_shape_of(x[0]) if x else ())
    if hasattr(x, "shape") and not isinstance(x, Tensor):
        return tuple(x.shape)
    return ()


class Tensor:
    __slots__ = ("shape", "dtype", "device", "data", "meta", "requires_grad")
    __hash__ = object.__hash__

    def __init__(self, shape, dtype_=float32, device_=CPU, data=None, meta=None) -> None:
        self.shape = shape if type(shape) is Size else Size(shape)
        self.dtype = dtype_
        self.device = device_
        self.data = data
        self.meta = meta
        self.requires_grad = False

    # -- values ------------------------------------------------------------------------
    def _values(self) -> list:
        if self.data is not None:
            return self.data
        n = _numel(self.shape)
        m = self.meta or {}
        obs, src = m.get("obs"), m.get("src")
        if self.dtype is bool_:
            return [True] * n
        rng = STATE.rng("values", obs, src, tuple(self.shape))
        if not self.dtype.is_floating_point:
            return [rng.randrange(7) for _ in range(n)]
        if obs is not None and src != "garbage" and self.shape and self.shape[-1] == 7:
            rows = world.oracle_rows(obs, n // 7)
            return [v for r in rows for v in r]
        scale = 3.0 if src == "garbage" else 1.0
        return [round(rng.uniform(-scale, scale), 4) for _ in range(n)]

    def tolist(self):
        vals = self._values()
        if self.dtype is bool_:
            vals = [bool(v) for v in vals]
        elif not self.dtype.is_floating_point:
            vals = [int(v) for v in vals]
        return _nest(vals, tuple(self.shape)) if self.shape else vals[0]

    def numpy(self):
        if self.device.type != "cpu":
            raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() "
                            "to copy the tensor to host memory first.")
        try:
            import numpy as np  # noqa: PLC0415 - optional, only if the machine has it
            return np.array(self.tolist())
        except ImportError:
            return self.tolist()

    def item(self):
        if _numel(self.shape) != 1:
            raise RuntimeError(f"a Tensor with {_numel(self.shape)} elements cannot be converted to Scalar")
        v = self._values()[0]
        return bool(v) if self.dtype is bool_ else (float(v) if self.dtype.is_floating_point else int(v))

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if _numel(self.shape) != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        if _numel(self.shape) <= 16:
            body = repr(self.tolist())
        else:
            body = f"<{'x'.join(map(str, self.shape))} values>"
        dev = "" if self.device.type == "cpu" else f", device='{self.device}'"
        return f"tensor({body}{dev}, dtype={self.dtype!r})"

    # -- metadata / copies -------------------------------------------------------------
    def _new(self, shape=None, dtype_=None, device_=None, data=None, meta="same"):
        return Tensor(self.shape if shape is None else shape, dtype_ or self.dtype,
                      device_ or self.device, data, self.meta if meta == "same" else meta)

    def size(self, dim=None):
        return self.shape if dim is None else self.shape[dim]

    def dim(self):
        return len(self.shape)

    @property
    def ndim(self):
        return len(self.shape)

    def numel(self):
        return _numel(self.shape)

    def element_size(self):
        return self.dtype.itemsize

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    def to(self, *args, **kwargs):
        dev, dt = self.device, self.dtype
        for a in list(args) + [kwargs.get("device"), kwargs.get("dtype")]:
            if a is None:
                continue
            if isinstance(a, dtype):
                dt = a
            elif isinstance(a, Tensor):
                dev, dt = a.device, a.dtype
            else:
                dev = a if isinstance(a, device) else device(a)
        if dev.type == "cuda" and not STATE.in_container:
            raise AssertionError("Torch not compiled with CUDA enabled")
        if dev.type == "cuda" and dev is not self.device and dev != self.device:
            from .torch_mod import ensure_cuda_context  # noqa: PLC0415
            ensure_cuda_context()
        return self._new(dtype_=dt, device_=dev, data=self.data)

    def cuda(self, *a, **k):
        return self.to("cuda")

    def cpu(self):
        return self._new(device_=CPU, data=self.data)

    def float(self):
        return self._new(dtype_=float32, data=self.data)

    def half(self):
        return self._new(dtype_=float16, data=self.data)

    def bfloat16(self):
        return self._new(dtype_=bfloat16, data=self.data)

    def long(self):
        return self._new(dtype_=int64, data=None if self.data is None else [int(v) for v in self.data])

    def int(self):
        return self._new(dtype_=int32, data=None if self.data is None else [int(v) for v in self.data])

    def bool(self):
        return self._new(dtype_=bool_, data=None if self.data is None else [bool(v) for v in self.data])

    def type(self, dt=None):
        return self.to(dt) if dt is not None else f"torch.{self.dtype.name}"

    def detach(self):
        return self._new(data=self.data)

    clone = contiguous = detach

    def requires_grad_(self, flag=True):
        self.requires_grad = flag
        return self

    def copy_(self, other):
        self.data, self.meta = other.data, other.meta
        return self

    # -- shape ops ---------------------------------------------------------------------
    def view(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = list(shape)
        n = self.numel()
        if -1 in shape:
            known = _numel([d for d in shape if d != -1])
            shape[shape.index(-1)] = n // known if known else 0
        if _numel(shape) != n:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {n}")
        return self._new(shape=tuple(shape), data=self.data)

    reshape = view

    def flatten(self, start_dim=0, end_dim=-1):
        nd = len(self.shape)
        s, e = start_dim % nd if nd else 0, end_dim % nd if nd else 0
        shape = self.shape[:s] + (_numel(self.shape[s:e + 1]),) + self.shape[e + 1:]
        return self._new(shape=shape, data=self.data)

    def squeeze(self, dim=None):
        if dim is None:
            shape = tuple(d for d in self.shape if d != 1)
        else:
            dim %= max(1, len(self.shape))
            shape = self.shape[:dim] + self.shape[dim + 1:] if self.shape[dim] == 1 else self.shape
        return self._new(shape=shape, data=self.data)

    def unsqueeze(self, dim):
        dim = dim % (len(self.shape) + 1)
        return self._new(shape=self.shape[:dim] + (1,) + self.shape[dim:], data=self.data)

    def permute(self, *dims):
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = dims[0]
        return self._new(shape=tuple(self.shape[d] for d in dims))

    def transpose(self, a, b):
        s = list(self.shape)
        s[a], s[b] = s[b], s[a]
        return self._new(shape=tuple(s))

    @property
    def T(self):
        return self._new(shape=tuple(reversed(self.shape)))

    def expand(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = tuple(o if s == -1 else s for s, o in zip(shape, (1,) * (len(shape) - len(self.shape)) + tuple(self.shape)))
        return self._new(shape=shape)

    def repeat(self, *reps):
        base = (1,) * (len(reps) - len(self.shape)) + tuple(self.shape)
        return self._new(shape=tuple(a * b for a, b in zip(base, reps)))

    def __getitem__(self, idx):
        if isinstance(idx, Tensor):
            return self._new(shape=(_numel(idx.shape),) + self.shape[1:], data=None)
        if not isinstance(idx, tuple):
            idx = (idx,)
        if Ellipsis in idx:
            i = idx.index(Ellipsis)
            fill = len(self.shape) - (len([x for x in idx if x is not None]) - 1)
            idx = idx[:i] + (slice(None),) * fill + idx[i + 1:]
        shape, dim = [], 0
        for x in idx:
            if x is None:
                shape.append(1)
                continue
            if dim >= len(self.shape):
                raise IndexError(f"too many indices for tensor of dimension {len(self.shape)}")
            size = self.shape[dim]
            if isinstance(x, int):
                if not -size <= x < size:
                    raise IndexError(f"index {x} is out of bounds for dimension {dim} with size {size}")
            elif isinstance(x, slice):
                shape.append(len(range(*x.indices(size))))
            dim += 1
        shape.extend(self.shape[dim:])
        data = None
        if self.data is not None and len(idx) == 1 and isinstance(idx[0], (int, slice)) and self.shape:
            step = _numel(self.shape[1:])
            rows = range(self.shape[0])[idx[0]]
            rows = [rows] if isinstance(rows, int) else list(rows)
            data = [v for r in rows for v in self.data[r * step:(r + 1) * step]]
        return self._new(shape=tuple(shape), data=data)

    def __setitem__(self, idx, value):
        self.data = None

    # -- arithmetic --------------------------------------------------------------------
    def _binary(self, other, op, out_dtype=None):
        if isinstance(other, Tensor):
            shape = broadcast(self.shape, other.shape)
            meta = _merge_meta(self, other)
            data = None
            if self.data is not None and other.data is not None:
                a, b = self.data, other.data
                if len(a) == len(b):
                    data = [op(x, y) for x, y in zip(a, b)]
                elif len(b) == 1:
                    data = [op(x, b[0]) for x in a]
                elif len(a) == 1:
                    data = [op(a[0], y) for y in b]
            dt = out_dtype or (self.dtype if self.dtype.is_floating_point or not other.dtype.is_floating_point else other.dtype)
            return Tensor(shape, dt, self.device, data, meta)
        data = None if self.data is None else [op(x, other) for x in self.data]
        dt = out_dtype or (float32 if isinstance(other, float) and not self.dtype.is_floating_point else self.dtype)
        return Tensor(self.shape, dt, self.device, data, self.meta)

    def __add__(self, o): return self._binary(o, lambda x, y: x + y)
    def __radd__(self, o): return self._binary(o, lambda x, y: y + x)
    def __sub__(self, o): return self._binary(o, lambda x, y: x - y)
    def __rsub__(self, o): return self._binary(o, lambda x, y: y - x)
    def __mul__(self, o): return self._binary(o, lambda x, y: x * y)
    def __rmul__(self, o): return self._binary(o, lambda x, y: y * x)
    def __truediv__(self, o): return self._binary(o, lambda x, y: x / y if y else math.inf, float32 if not self.dtype.is_floating_point else None)
    def __rtruediv__(self, o): return self._binary(o, lambda x, y: y / x if x else math.inf)
    def __pow__(self, o): return self._binary(o, lambda x, y: x ** y)
    def __neg__(self): return self._binary(-1, lambda x, y: x * y)
    def __lt__(self, o): return self._binary(o, lambda x, y: x < y, bool_)
    def __le__(self, o): return self._binary(o, lambda x, y: x <= y, bool_)
    def __gt__(self, o): return self._binary(o, lambda x, y: x > y, bool_)
    def __ge__(self, o): return self._binary(o, lambda x, y: x >= y, bool_)
    def __and__(self, o): return self._binary(o, lambda x, y: bool(x and y), bool_)
    def __or__(self, o): return self._binary(o, lambda x, y: bool(x or y), bool_)
    def __invert__(self): return self._binary(True, lambda x, y: not x, bool_)

    def __eq__(self, other):
        if isinstance(other, Tensor) and (self.data is None or other.data is None):
            return _compare_sources(self, other)
        return self._binary(other, lambda x, y: x == y, bool_)

    def __ne__(self, other):
        return ~(self == other)

    def eq(self, other):
        return self == other

    def __matmul__(self, other):
        a, b = self.shape, other.shape
        if a[-1] != b[-2 if len(b) > 1 else 0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_numel(a[:-1])}x{a[-1]} and {b[0]}x{b[-1]})")
        shape = a[:-1] + (b[-1],) if len(b) > 1 else a[:-1]
        return Tensor(shape, self.dtype, self.device, None, _merge_meta(self, other))

    def abs(self): return self._binary(0, lambda x, y: abs(x))
    def clamp(self, min=None, max=None):  # noqa: A002 - torch's names
        lo = -math.inf if min is None else min
        hi = math.inf if max is None else max
        return self._binary(0, lambda x, y: lo if x < lo else hi if x > hi else x)
    clip = clamp
    def sign(self): return self._binary(0, lambda x, y: (x > 0) - (x < 0))
    def round(self): return self._binary(0, lambda x, y: float(round(x)))

    # -- reductions --------------------------------------------------------------------
    def _reduced_shape(self, dim, keepdim):
        shape = list(self.shape)
        if keepdim:
            shape[dim] = 1
        else:
            shape.pop(dim)
        return tuple(shape)

    def _reduce(self, fn, dim, keepdim, out_dtype=None):
        dt = out_dtype or self.dtype
        if dim is None:
            vals = self._values() if (self.data is not None or dt is bool_ or out_dtype is int64) else None
            data = None if vals is None else [fn(vals)]
            return Tensor((), dt, self.device, data, self.meta)
        dim %= len(self.shape)
        shape = self._reduced_shape(dim, keepdim)
        data = None
        if self.data is not None and dim == len(self.shape) - 1 and self.shape[-1]:
            w = self.shape[-1]
            data = [fn(self.data[i:i + w]) for i in range(0, len(self.data), w)]
        return Tensor(shape, dt, self.device, data, self.meta)

    def sum(self, dim=None, keepdim=False): return self._reduce(sum, dim, keepdim)
    def mean(self, dim=None, keepdim=False): return self._reduce(lambda v: sum(v) / len(v), dim, keepdim, self.dtype if self.dtype.is_floating_point else float32)
    def all(self, dim=None, keepdim=False): return self._reduce(lambda v: all(v), dim, keepdim, bool_)
    def any(self, dim=None, keepdim=False): return self._reduce(lambda v: any(v), dim, keepdim, bool_)

    def argmax(self, dim=None, keepdim=False):
        if dim is None:
            return Tensor((), int64, self.device, None, self.meta)
        return Tensor(self._reduced_shape(dim % len(self.shape), keepdim), int64, self.device, None, self.meta)

    def softmax(self, dim=-1, dtype=None):
        return self._new()

    log_softmax = softmax

    def max(self, dim=None, keepdim=False):
        if dim is None:
            return self._reduce(max, None, False)
        return (self._reduce(max, dim, keepdim), self.argmax(dim, keepdim))

    def std(self, dim=None, keepdim=False):
        def _std(v):
            m = sum(v) / len(v)
            return (sum((x - m) ** 2 for x in v) / max(1, len(v) - 1)) ** 0.5
        return self._reduce(_std, dim, keepdim)


def _compare_sources(a: Tensor, b: Tensor) -> Tensor:
    """Elementwise `==` of token tensors that carry no values: the main model agrees with itself;
    a draft agrees with the main model with the configured acceptance probability."""
    shape = broadcast(a.shape, b.shape)
    n = _numel(shape)
    srcs = {(a.meta or {}).get("src"), (b.meta or {}).get("src")}
    obs = ((a.meta or {}).get("obs") or (b.meta or {}).get("obs"))
    key = ("cmp", obs)
    count = STATE.__dict__.setdefault("_cmp_counts", {})
    count[key] = count.get(key, 0) + 1
    rng = STATE.rng("cmp", obs, count[key])
    if "garbage" in srcs:
        data = [rng.random() < 1 / 7 for _ in range(n)]
    elif "draft" in srcs and len(srcs - {"draft", None}) > 0:
        if rng.random() < STATE.acceptance:
            data = [True] * n
        else:
            data = [rng.random() > 0.3 for _ in range(n)]
            data[rng.randrange(n)] = False
    else:
        data = [True] * n
    return Tensor(shape, bool_, a.device, data, None)
