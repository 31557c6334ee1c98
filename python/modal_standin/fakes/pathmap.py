"""Maps container mount paths (/models, /data, /results) to the local volume folders while a
function runs, so user code keeps the real paths."""
from __future__ import annotations

import builtins
import io
import os

from ..sim import STATE


def remap(path):
    if not STATE.mounts or not isinstance(path, str):
        return path
    for mount, local in STATE.mounts.items():
        if path == mount or path.startswith(mount + "/"):
            return local + path[len(mount):]
    return path


def _wrap1(fn):
    def wrapper(path, *a, **k):
        p = os.fspath(path) if isinstance(path, os.PathLike) else path
        try:
            return fn(remap(p), *a, **k)
        except OSError as e:
            if e.filename and isinstance(p, str):
                e.filename = p
            raise
    wrapper.__wrapped__ = fn
    return wrapper


class PathPatch:
    """Context manager patching the few os/io entry points that file code goes through."""

    NAMES = [(builtins, "open"), (io, "open"), (os, "stat"), (os, "mkdir"), (os, "listdir"),
             (os, "scandir"), (os, "remove"), (os, "unlink"), (os, "rename"), (os, "replace")]

    def __enter__(self):
        self.saved = [(mod, name, getattr(mod, name)) for mod, name in self.NAMES]
        for mod, name, fn in self.saved:
            if name in ("rename", "replace"):
                setattr(mod, name, (lambda f: lambda a, b, *x, **k: f(remap(os.fspath(a)), remap(os.fspath(b)), *x, **k))(fn))
            else:
                setattr(mod, name, _wrap1(fn))
        return self

    def __exit__(self, *exc):
        for mod, name, fn in self.saved:
            setattr(mod, name, fn)
        return False
