"""Fake `modal` client: App, Image (records build steps), Volume, Secret, function decorators
whose `.remote()` runs the function in the simulated container."""
from __future__ import annotations

import hashlib
import types

from ..sim import STATE

REGISTRY: list["App"] = []


class Error(Exception):
    pass


def _exc(name, base=Error):
    cls = type(name, (base,), {})
    cls.__module__ = "modal.exception"
    return cls


Error.__module__ = "modal.exception"
FunctionTimeoutError = _exc("FunctionTimeoutError")
NotFoundError = _exc("NotFoundError")
InvalidError = _exc("InvalidError")
AuthError = _exc("AuthError")
ExecutionError = _exc("ExecutionError")
RemoteError = _exc("RemoteError")


class Image:
    def __init__(self, steps=(), env=None, local_sources=()):
        self.steps = list(steps)
        self.env_vars = dict(env or {})
        self.local_sources = list(local_sources)

    def _with(self, step=None, env=None, source=None):
        return Image(self.steps + ([step] if step else []), {**self.env_vars, **(env or {})},
                     self.local_sources + ([source] if source else []))

    @property
    def object_id(self):
        return "im-" + hashlib.sha256("\n".join(self.steps).encode()).hexdigest()[:22]

    @staticmethod
    def debian_slim(python_version=None, force_build=False):
        return Image([f"FROM python:{python_version or '3.11'}-slim-bookworm"])

    @staticmethod
    def from_registry(tag, add_python=None, **kw):
        return Image([f"FROM {tag}"] + ([f"COPY python {add_python}"] if add_python else []))

    @staticmethod
    def micromamba(python_version=None):
        return Image([f"FROM mambaorg/micromamba (python {python_version})"])

    def apt_install(self, *pkgs, **kw):
        return self._with("RUN apt-get install -y " + " ".join(_flat(pkgs)))

    def pip_install(self, *pkgs, extra_index_url=None, index_url=None, pre=False, extra_options="", **kw):
        return self._with("RUN python -m pip install " + " ".join(repr(p) if " " in p else p for p in _flat(pkgs))
                          + (f" {extra_options}" if extra_options else ""))

    uv_pip_install = pip_install

    def pip_install_from_requirements(self, path, **kw):
        return self._with(f"RUN python -m pip install -r {path}")

    def run_commands(self, *cmds, gpu=None, secrets=None, **kw):
        img = self
        for c in _flat(cmds):
            img = img._with(f"RUN {c}")
        return img

    def env(self, vars):
        return self._with(f"ENV {' '.join(f'{k}={v}' for k, v in vars.items())}", env=vars)

    def workdir(self, path):
        return self._with(f"WORKDIR {path}")

    def add_local_python_source(self, *names, copy=False, **kw):
        img = self
        for n in names:
            img = img._with(f"ADD local python source {n}", source=n)
        return img

    def add_local_dir(self, local_path, remote_path, copy=False, **kw):
        return self._with(f"ADD {local_path} {remote_path}")

    def add_local_file(self, local_path, remote_path, copy=False, **kw):
        return self._with(f"ADD {local_path} {remote_path}")

    def run_function(self, fn, **kw):
        return self._with(f"RUN function {getattr(fn, '__name__', fn)}")

    def entrypoint(self, cmd):
        return self._with(f"ENTRYPOINT {cmd}")

    def imports(self):
        import contextlib  # noqa: PLC0415
        return contextlib.suppress(ImportError)


def _flat(items):
    out = []
    for i in items:
        out.extend(_flat(i) if isinstance(i, (list, tuple)) else [i])
    return [str(x) for x in out]


class Volume:
    def __init__(self, name, create_if_missing=False):
        self.name = name
        self.create_if_missing = create_if_missing

    @staticmethod
    def from_name(name, create_if_missing=False, environment_name=None, **kw):
        return Volume(name, create_if_missing)

    @staticmethod
    def lookup(name, create_if_missing=False, **kw):
        return Volume(name, create_if_missing)

    def commit(self):
        return None

    def reload(self):
        return None


class Secret:
    def __init__(self, name):
        self.name = name

    @staticmethod
    def from_name(name, **kw):
        return Secret(name)

    @staticmethod
    def from_dict(d):
        return Secret("inline")


class Function:
    def __init__(self, app, fn, options):
        self.app, self.raw_f, self.options = app, fn, options
        self.__name__ = fn.__name__
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn
        self.is_entrypoint = False

    def remote(self, *args, **kwargs):
        from ..container import call_remote  # noqa: PLC0415
        return call_remote(self, args, kwargs)

    def local(self, *args, **kwargs):
        return self.raw_f(*args, **kwargs)

    def spawn(self, *args, **kwargs):
        result = self.remote(*args, **kwargs)
        return types.SimpleNamespace(get=lambda timeout=None: result, object_id="fc-standin")

    def __call__(self, *args, **kwargs):
        return self.raw_f(*args, **kwargs)


class LocalEntrypoint:
    def __init__(self, app, fn):
        self.app, self.raw_f = app, fn
        self.__name__ = fn.__name__
        self.is_entrypoint = True

    def __call__(self, *args, **kwargs):
        return self.raw_f(*args, **kwargs)


class App:
    def __init__(self, name=None, image=None, secrets=None, volumes=None, **kw):
        self.name = name
        self.image = image
        self.registered_functions: dict[str, Function] = {}
        self.registered_entrypoints: dict[str, LocalEntrypoint] = {}
        REGISTRY.append(self)

    def function(self, _warn_parentheses_missing=None, *, image=None, gpu=None, timeout=None, volumes=None,
                 secrets=None, **kwargs):
        if _warn_parentheses_missing is not None:
            raise InvalidError("Did you forget parentheses? Suggestion: `@app.function()`.")
        if timeout is not None and not (1 <= int(timeout) <= 86400):
            raise InvalidError(f"timeout must be between 1 and 86400 seconds, got {timeout}")

        def deco(fn):
            f = Function(self, fn, {"image": image or self.image or Image.debian_slim(), "gpu": gpu,
                                    "timeout": 300 if timeout is None else int(timeout),
                                    "volumes": dict(volumes or {}), "secrets": list(secrets or []), **kwargs})
            self.registered_functions[fn.__name__] = f
            return f
        return deco

    def local_entrypoint(self, _warn_parentheses_missing=None, *, name=None):
        if _warn_parentheses_missing is not None:
            raise InvalidError("Did you forget parentheses? Suggestion: `@app.local_entrypoint()`.")

        def deco(fn):
            ep = LocalEntrypoint(self, fn)
            self.registered_entrypoints[name or fn.__name__] = ep
            return ep
        return deco

    def run(self, *a, **k):
        import contextlib  # noqa: PLC0415
        return contextlib.nullcontext(self)


Stub = App


def build() -> dict[str, types.ModuleType]:
    REGISTRY.clear()
    m = types.ModuleType("modal")
    m.__version__ = "1.1.0"
    for obj in (App, Stub, Image, Volume, Secret, Function, Error):
        setattr(m, obj.__name__, obj)
    m.is_local = lambda: not STATE.in_container
    exc = types.ModuleType("modal.exception")
    for cls in (Error, FunctionTimeoutError, NotFoundError, InvalidError, AuthError, ExecutionError, RemoteError):
        setattr(exc, cls.__name__, cls)
    m.exception = exc
    m.Retries = lambda **kw: kw
    m.enable_output = lambda *a, **k: __import__("contextlib").nullcontext()
    return {"modal": m, "modal.exception": exc}
