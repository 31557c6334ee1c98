"""torch.nn: Module bookkeeping (parameters, buffers, state_dict, load_state_dict with torch's
exact error texts), the layers the experiment code uses, and simulated cost on the clock."""
from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from ..sim import STATE
from . import tensor as T

# Simulated cost of one small-layer call: kernel launch plus a bandwidth term.
LAUNCH_S = 0.00012
PER_PARAM_S = 2.5e-11
CPU_FACTOR = 40.0


class Parameter(T.Tensor):
    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        src = data if isinstance(data, T.Tensor) else T.Tensor((0,))
        super().__init__(src.shape, src.dtype, src.device, src.data, src.meta or {"role": "init"})
        self.requires_grad = requires_grad


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class Module:
    _leaf_role = False   # layers whose output depends on learned weights (Linear, Embedding)

    def __init__(self, *args, **kwargs):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign module before Module.__init__() call")
        for d in (self._parameters, self._buffers, self._modules):
            d.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            if key in d and name in d[key]:
                return d[key][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def register_buffer(self, name, tensor, persistent=True):
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def register_parameter(self, name, param):
        self._parameters[name] = param

    def add_module(self, name, module):
        self._modules[name] = module

    # -- traversal ---------------------------------------------------------------------
    def named_modules(self, prefix=""):
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def children(self):
        return iter(m for m in self._modules.values() if m is not None)

    def named_parameters(self, prefix="", recurse=True):
        for mp, m in self.named_modules(prefix) if recurse else [(prefix, self)]:
            for n, p in m._parameters.items():
                yield (f"{mp}.{n}" if mp else n), p

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix=""):
        for mp, m in self.named_modules(prefix):
            for n, b in m._buffers.items():
                yield (f"{mp}.{n}" if mp else n), b

    def buffers(self):
        for _, b in self.named_buffers():
            yield b

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        out = OrderedDict() if destination is None else destination
        for mp, m in self.named_modules(prefix.rstrip(".")):
            for n, p in m._parameters.items():
                out[f"{mp}.{n}" if mp else n] = p
            for n, b in m._buffers.items():
                if n not in m._non_persistent:
                    out[f"{mp}.{n}" if mp else n] = b
        return out

    def _slots(self):
        """(key, owner module, attribute name, is_param) for every state_dict entry."""
        for mp, m in self.named_modules():
            for n in m._parameters:
                yield (f"{mp}.{n}" if mp else n), m, n, True
            for n in m._buffers:
                if n not in m._non_persistent:
                    yield (f"{mp}.{n}" if mp else n), m, n, False

    def load_state_dict(self, state_dict, strict=True, assign=False):
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        error_msgs, missing = [], []
        own = set()
        for key, owner, attr, is_param in self._slots():
            own.add(key)
            if key not in state_dict:
                missing.append(key)
                continue
            src = state_dict[key]
            cur = owner._parameters[attr] if is_param else owner._buffers[attr]
            if not isinstance(src, T.Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor '
                                  f"or Tensor-like object from checkpoint but received {type(src)}")
                continue
            if tuple(src.shape) != tuple(cur.shape):
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {src.shape} "
                                  f"from checkpoint, the shape in current model is {cur.shape}.")
                continue
            cur.data = src.data
            cur.meta = src.meta
        unexpected = [k for k in state_dict if k not in own]
        if strict:
            if unexpected:
                error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing)))
        if error_msgs:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(error_msgs)))
        return _IncompatibleKeys(missing, unexpected)

    # -- placement ---------------------------------------------------------------------
    def to(self, *args, **kwargs):
        probe = T.Tensor((1,))
        moved = probe.to(*args, **kwargs)
        dev = moved.device if (args and not isinstance(args[0], T.dtype)) or "device" in kwargs else None
        dt = moved.dtype if any(isinstance(a, T.dtype) for a in args) or "dtype" in kwargs else None
        for t in list(self.parameters()) + list(self.buffers()):
            if dev is not None and dev.type == "cuda" and t.device.type != "cuda":
                _gpu_alloc(int(t.numel() * (dt or t.dtype).itemsize))
            elif dev is not None and dev.type == "cpu" and t.device.type == "cuda":
                STATE.gpu.free(int(t.numel() * t.dtype.itemsize))
            if dev is not None:
                t.device = dev
            if dt is not None and t.dtype.is_floating_point:
                t.dtype = dt
        return self

    def cuda(self, *a):
        return self.to("cuda")

    def cpu(self):
        return self.to("cpu")

    def float(self):
        return self.to(T.float32)

    def half(self):
        return self.to(T.float16)

    def bfloat16(self):
        return self.to(T.bfloat16)

    def eval(self):
        return self.train(False)

    def train(self, mode=True):
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def requires_grad_(self, flag=True):
        for p in self.parameters():
            p.requires_grad = flag
        return self

    def zero_grad(self, set_to_none=True):
        pass

    def apply(self, fn):
        for m in self.modules():
            fn(m)
        return self

    def extra_repr(self):
        return ""

    def __repr__(self):
        inner = "".join(f"\n  ({n}): " + repr(m).replace("\n", "\n  ") for n, m in self._modules.items())
        return f"{type(self).__name__}({self.extra_repr()}{inner}{chr(10) if inner else ''})"

    # -- calling -----------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        out = self.forward(*args, **kwargs)
        if not self._leaf_role:
            return out
        d = self.__dict__
        w = d["_parameters"].get("weight")
        cost = d.get("_cost")
        if cost is None:      # parameter shapes are fixed once built (load_state_dict checks them)
            cost = LAUNCH_S + sum(p.numel() for p in d["_parameters"].values()) * PER_PARAM_S
            object.__setattr__(self, "_cost", cost)
        STATE.clock.advance(cost if w is not None and w.device.type == "cuda" else cost * CPU_FACTOR)
        if w is not None and isinstance(out, T.Tensor):
            role = w.meta.get("role", "init") if w.meta else "init"
            meta = out.meta or {}
            src = "garbage" if role == "init" or meta.get("src") == "garbage" else (
                "draft" if role == "draft" else "main")
            out.meta = {"obs": meta.get("obs"), "src": src}
        return out


def _gpu_alloc(nbytes: int) -> None:
    from .torch_mod import gpu_alloc  # noqa: PLC0415
    gpu_alloc(nbytes)


def _init_param(*shape, dtype_=T.float32):
    return Parameter(T.Tensor(shape, dtype_))


def _check_input(x, w, op):
    if not isinstance(x, T.Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    if x.device.type != w.device.type:
        a, b = sorted([str(x.device), str(w.device)], reverse=True)
        raise RuntimeError("Expected all tensors to be on the same device, but found at least two devices, "
                           f"{'cuda:0' if 'cuda' in (a + b) else a} and cpu! (when checking argument for "
                           "argument mat1 in method wrapper_CUDA_addmm)")


class Linear(Module):
    _leaf_role = True

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = _init_param(out_features, in_features)
        if bias:
            self.bias = _init_param(out_features)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={'bias' in self._parameters}"

    def forward(self, x):
        _check_input(x, self.weight, "linear")
        if x.shape[-1] != self.in_features:
            rows = T._numel(x.shape[:-1])
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
                               f"{self.in_features}x{self.out_features})")
        if x.dtype is not self.weight.dtype:
            names = {"float32": "Float", "bfloat16": "BFloat16", "float16": "Half", "float64": "Double"}
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                               f"{names.get(x.dtype.name, x.dtype.name)} and {names.get(self.weight.dtype.name, self.weight.dtype.name)}")
        return T.Tensor(x.shape[:-1] + (self.out_features,), x.dtype, x.device, None, x.meta)


class Embedding(Module):
    _leaf_role = True

    def __init__(self, num_embeddings, embedding_dim, *args, **kwargs):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = _init_param(num_embeddings, embedding_dim)

    def forward(self, idx):
        _check_input(idx, self.weight, "embedding")
        if idx.dtype.is_floating_point:
            raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar "
                               "types: Long, Int; but got torch.cuda.FloatTensor instead (while checking "
                               "arguments for embedding)")
        return T.Tensor(idx.shape + (self.embedding_dim,), self.weight.dtype, idx.device, None, idx.meta)


class LayerNorm(Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, **kw):
        super().__init__()
        n = normalized_shape if isinstance(normalized_shape, int) else normalized_shape[-1]
        self.weight = Parameter(T.Tensor((n,), meta={"role": "ones"}))
        self.bias = Parameter(T.Tensor((n,), meta={"role": "zeros"}))

    def forward(self, x):
        return x._new()


class _Act(Module):
    def forward(self, x, *a, **k):
        return x._new() if isinstance(x, T.Tensor) else x


class ReLU(_Act): pass
class GELU(_Act): pass
class SiLU(_Act): pass
class Tanh(_Act): pass
class Sigmoid(_Act): pass
class Identity(_Act): pass


class Dropout(_Act):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        self.p = p


class _Container(Module):
    """Indexing, length and iteration over the submodules, in order."""

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class Sequential(_Container):
    def __init__(self, *mods):
        super().__init__()
        if len(mods) == 1 and isinstance(mods[0], OrderedDict):
            mods = list(mods[0].items())
        else:
            mods = [(str(i), m) for i, m in enumerate(mods)]
        for n, m in mods:
            self._modules[n] = m

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x


class ModuleList(_Container):
    def __init__(self, mods=()):
        super().__init__()
        for m in mods:
            self.append(m)

    def append(self, m):
        self._modules[str(len(self._modules))] = m
        return self


class ModuleDict(Module):
    def __init__(self, mods=None):
        super().__init__()
        for k, m in (mods or {}).items():
            self._modules[k] = m

    def __getitem__(self, k):
        return self._modules[k]

    def __contains__(self, k):
        return k in self._modules

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()
