"""`modal` command line: run, volume ls/get, app logs, token checks."""
from __future__ import annotations

import json
import os
import shutil
import sys

from . import volumes

USAGE = """Usage: modal [OPTIONS] COMMAND [ARGS]...
Try 'modal -h' for help.
"""
TOKEN_MISSING = ("Token missing. Could not authenticate client. If you have token credentials, see "
                 "modal.com/docs/reference/modal.config for setup help. If you are a new user, register an "
                 "account at modal.com, then run `modal token new`.")


def _auth() -> int:
    token = os.environ.get("MODAL_STANDIN_TOKEN", "ok")
    if token == "missing":
        print(TOKEN_MISSING, file=sys.stderr)
        return 1
    if token == "malformed":
        print("modal.exception.AuthError: Token ID is malformed", file=sys.stderr)
        return 1
    return 0


def _fail(cmd: str, msg: str) -> int:
    print(f"Usage: modal {cmd} [OPTIONS]\nTry 'modal {cmd} -h' for help.\n\nError: {msg}", file=sys.stderr)
    return 2


def volume_ls(args: list[str]) -> int:
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    if not args:
        return _fail("volume ls", "Missing argument 'VOLUME_NAME'.")
    name, sub = args[0], (args[1] if len(args) > 1 else "/")
    if not volumes.exists(name):
        print(f"Error: Volume '{name}' not found in environment 'main'", file=sys.stderr)
        return 1
    root = volumes.ensure(name)
    target = os.path.join(root, sub.strip("/"))
    if not os.path.isdir(target):
        print(f"Error: No such file or directory: {sub}", file=sys.stderr)
        return 1
    rows = []
    for entry in sorted(os.listdir(target)):
        full = os.path.join(target, entry)
        rel = os.path.relpath(full, root)
        isdir = os.path.isdir(full)
        rows.append({"Filename": rel, "Type": "dir" if isdir else "file",
                     "Size": "-" if isdir else _human(os.path.getsize(full))})
    if as_json:
        print(json.dumps(rows, indent=2))
    else:
        for r in rows:
            print(r["Filename"] + ("/" if r["Type"] == "dir" else ""))
    return 0


def _human(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024
    return f"{n:.1f} TiB"


def volume_get(args: list[str]) -> int:
    force = "--force" in args
    args = [a for a in args if a != "--force"]
    if len(args) < 2:
        return _fail("volume get", "Missing argument 'REMOTE_PATH'." if args else "Missing argument 'VOLUME_NAME'.")
    name, remote = args[0], args[1]
    local = args[2] if len(args) > 2 else "."
    if not volumes.exists(name):
        print(f"Error: Volume '{name}' not found in environment 'main'", file=sys.stderr)
        return 1
    src = os.path.join(volumes.ensure(name), remote.strip("/"))
    if not os.path.exists(src):
        print(f"Error: No such file or directory: {remote}", file=sys.stderr)
        return 1
    dest = os.path.join(local, os.path.basename(src)) if os.path.isdir(local) or local.endswith("/") else local
    if os.path.exists(dest) and not force:
        print(f"Error: Output path '{dest}' already exists. Use --force to overwrite the output directory",
              file=sys.stderr)
        return 1
    os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
    if os.path.isdir(src):
        shutil.copytree(src, dest, dirs_exist_ok=True)
    else:
        shutil.copyfile(src, dest)
    return 0


def app_logs(args: list[str]) -> int:
    args = [a for a in args if a not in ("-f", "--follow")]
    if not args:
        return _fail("app logs", "Missing argument 'APP_IDENTIFIER'.")
    path = os.path.join(volumes.home(), "apps", args[0] + ".log")
    if not os.path.exists(path):
        print(f"Error: Could not find a deployed app named '{args[0]}'", file=sys.stderr)
        return 1
    with open(path, encoding="utf-8") as fh:
        sys.stdout.write(fh.read())
    return 0


def main(argv: list[str]) -> int:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)
    if not argv or argv[0] in ("-h", "--help"):
        print("Usage: modal [OPTIONS] COMMAND [ARGS]...\n\nCommands: run, volume, app")
        return 0 if argv else 2
    if argv[0] == "--version":
        print("modal client version: 1.1.0 (local stand-in)")
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd == "run":
        if _auth():
            return 1
        from .runner import run  # noqa: PLC0415
        return run(rest)
    if cmd == "volume" and rest and rest[0] in ("ls", "get"):
        if _auth():
            return 1
        return volume_ls(rest[1:]) if rest[0] == "ls" else volume_get(rest[1:])
    if cmd == "app" and rest and rest[0] == "logs":
        if _auth():
            return 1
        return app_logs(rest[1:])
    print(USAGE + f"\nError: No such command '{cmd}'.", file=sys.stderr)
    return 2
