"""`modal run FILE.py[::func] [OPTIONS]`: import the app locally, parse options from the
entrypoint's signature, "build" the images, run the entrypoint with `.remote()` simulated."""
from __future__ import annotations

import importlib.util
import os
import random
import string
import sys

from . import container, flags, volumes
from .fakes import modal_mod
from .sim import STATE

WORKSPACE = "standin-workspace"


class Tee:
    def __init__(self, stream, path):
        self.stream = stream
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.fh = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def write(self, s):
        self.fh.write(s)
        return self.stream.write(s)

    def flush(self):
        self.fh.flush()
        self.stream.flush()

    def close(self):
        self.fh.close()

    def __getattr__(self, name):
        return getattr(self.stream, name)


def _usage_error(prog: str, msg: str) -> int:
    print(f"Usage: {prog} [OPTIONS]\nTry '{prog} -h' for help.\n\nError: {msg}", file=sys.stderr)
    return 2


def _load_module(path: str):
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _pick(func: str):
    eps = {k: v for a in modal_mod.REGISTRY for k, v in a.registered_entrypoints.items()}
    fns = {k: v for a in modal_mod.REGISTRY for k, v in a.registered_functions.items()}
    if func:
        return eps.get(func) or fns.get(func)
    if len(eps) == 1:
        return next(iter(eps.values()))
    if not eps and len(fns) == 1:
        return next(iter(fns.values()))
    return None


def _build_images(fns) -> int:
    cache = os.path.join(volumes.home(), "images")
    os.makedirs(cache, exist_ok=True)
    seen = set()
    for f in fns:
        img = f.options["image"]
        if img.object_id in seen:
            continue
        seen.add(img.object_id)
        marker = os.path.join(cache, img.object_id)
        if os.path.exists(marker):
            continue
        print(f"Building image {img.object_id}\n")
        for i, step in enumerate(img.steps):
            print(f"=> Step {i}: {step}")
            if step.startswith("RUN ") and "sed -i" in step and "LIBERO" in step and not any(
                    "git clone" in s and "LIBERO" in s for s in img.steps[:i]):
                target = next((w for w in step.split() if w.endswith("__init__.py")), "file")
                print(f"sed: can't read {target}: No such file or directory")
                print(f"Terminating task due to error: failed to run builder command \"{step[4:]}\": "
                      "container exit status: 2")
                print(f"Image build for {img.object_id} failed. See build logs for more details.")
                return 1
        print("Saving image...\nImage saved, took 3.41s\n")
        print(f"Built image {img.object_id} in {60 + 25 * len(img.steps):.2f}s")
        open(marker, "w").close()  # noqa: SIM115
    return 0


def run(args: list[str]) -> int:
    if not args or args[0].startswith("-"):
        return _usage_error("modal run", "Missing argument 'FUNC_REF'.")
    ref, rest = args[0], args[1:]
    path, _, func = ref.partition("::")
    if not os.path.isfile(path):
        print(f"Error: Invalid value for 'FUNC_REF': '{path}' does not exist", file=sys.stderr)
        return 2
    STATE.reset()
    script_dir = os.path.dirname(os.path.abspath(path))
    container.SCRIPT_DIR["path"] = script_dir
    container.install_finder()
    sys.path.insert(0, script_dir)
    try:
        _load_module(path)
    except SyntaxError as e:
        print(f'  File "{path}", line {e.lineno}\n    {(e.text or "").strip()}\nSyntaxError: {e.msg}',
              file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - import failures are reported like modal does
        print(container.user_traceback(e, False), file=sys.stderr)
        return 1
    target = _pick(func)
    if target is None:
        what = f"'{func}'" if func else "a local entrypoint or function"
        print(f"Error: Could not find {what} in {path}", file=sys.stderr)
        return 2
    prog = f"modal run {path}::{target.__name__}"
    params = flags.params_of(target.raw_f)
    try:
        kwargs = flags.parse(rest, params)
    except flags.HelpRequested:
        print(flags.help_text(prog, params, target.raw_f.__doc__))
        return 0
    except flags.UsageError as e:
        return _usage_error(prog, str(e))
    app = target.app
    app_id = "ap-" + "".join(random.choice(string.ascii_letters + string.digits) for _ in range(22))
    url = f"https://modal.com/apps/{WORKSPACE}/main/{app_id}"
    tee = Tee(sys.stdout, os.path.join(volumes.home(), "apps", f"{app.name or 'app'}.log"))
    sys.stdout = tee
    try:
        print(f"✓ Initialized. View run at {url}")
        fns = list(app.registered_functions.values())
        if _build_images(fns):
            return 1
        for f in fns:
            for vol in f.options["volumes"].values():
                if not volumes.exists(vol.name) and not vol.create_if_missing:
                    print(f"Error: Volume '{vol.name}' not found in environment 'main'", file=sys.stderr)
                    return 1
        print("✓ Created objects.")
        print(f"├── 🔨 Created mount {os.path.abspath(path)}")
        for i, f in enumerate(fns):
            print(f"{'└' if i == len(fns) - 1 else '├'}── 🔨 Created function {f.__name__}.")
        try:
            if target.is_entrypoint:
                target.raw_f(**kwargs)
            else:
                target.remote(**kwargs)
        except container.RemoteCrash:
            return 1
        except Exception as e:  # noqa: BLE001 - uncaught in the local entrypoint
            sys.stdout.flush()
            print(container.user_traceback(e, False), file=sys.stderr, flush=True)
            print(f"Stopping app - uncaught exception raised locally: {e!r}.")
            return 1
        print("Stopping app - local entrypoint completed.")
        print(f"✓ App completed. View run at {url}")
        return 0
    finally:
        sys.stdout = tee.stream
        tee.close()
