"""Command-line options for an entrypoint, parsed the way Modal's click command does:
`_` -> `-`, bool parameters become `--x/--no-x` switches, click's error texts and exit code 2."""
from __future__ import annotations

import difflib
import inspect

REQUIRED = object()


class UsageError(Exception):
    pass


class HelpRequested(Exception):
    pass


class Param:
    def __init__(self, name: str, kind: str, default):
        self.name, self.kind, self.default = name, kind, default
        self.opt = "--" + name.replace("_", "-")


def _kind(annotation) -> str:
    if annotation is inspect.Parameter.empty:
        return "str"
    if isinstance(annotation, str):
        annotation = annotation.strip().strip("'\"")
        return {"bool": "bool", "int": "int", "float": "float"}.get(annotation, "str")
    return {bool: "bool", int: "int", float: "float"}.get(annotation, "str")


def params_of(fn) -> list[Param]:
    out = []
    for p in inspect.signature(fn).parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        out.append(Param(p.name, _kind(p.annotation),
                         REQUIRED if p.default is inspect.Parameter.empty else p.default))
    return out


def _convert(p: Param, opt: str, raw: str):
    if p.kind == "int":
        try:
            return int(raw.strip(), 10)
        except ValueError:
            raise UsageError(f"Invalid value for '{opt}': '{raw}' is not a valid integer.") from None
    if p.kind == "float":
        try:
            return float(raw)
        except ValueError:
            raise UsageError(f"Invalid value for '{opt}': '{raw}' is not a valid float.") from None
    return raw


def parse(argv: list[str], params: list[Param]) -> dict:
    names: dict[str, tuple[Param, bool]] = {}
    for p in params:
        names[p.opt] = (p, True)
        if p.kind == "bool":
            names["--no-" + p.opt[2:]] = (p, False)
    given: dict[str, object] = {}
    raws: list[tuple[Param, str, str]] = []
    extra: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            extra.extend(argv[i + 1:])
            break
        if a in ("-h", "--help"):
            raise HelpRequested()
        if a.startswith("-") and len(a) > 1:
            name, eq, val = a.partition("=") if a.startswith("--") else (a, "", "")
            if name not in names:
                close = difflib.get_close_matches(name, list(names) + ["--help"])
                msg = f"No such option '{name}'."
                if len(close) == 1:
                    msg += f" Did you mean '{close[0]}'?"
                elif close:
                    msg += f" (Possible options: {', '.join(sorted(close))})"
                raise UsageError(msg)
            p, positive = names[name]
            if p.kind == "bool":
                if eq:
                    raise UsageError(f"Option '{name}' does not take a value.")
                given[p.name] = positive
            else:
                if not eq:
                    if i + 1 >= len(argv):
                        raise UsageError(f"Option '{name}' requires an argument.")
                    i += 1
                    val = argv[i]
                raws.append((p, name, val))
        else:
            extra.append(a)
        i += 1
    for p, name, raw in raws:
        given[p.name] = _convert(p, name, raw)
    for p in params:
        if p.name not in given:
            if p.default is REQUIRED:
                if p.kind == "bool":
                    given[p.name] = False
                else:
                    raise UsageError(f"Missing option '{p.opt}'.")
            else:
                given[p.name] = p.default
    if extra:
        word = "argument" if len(extra) == 1 else "arguments"
        raise UsageError(f"Got unexpected extra {word} ({' '.join(extra)})")
    return given


def help_text(prog: str, params: list[Param], doc: str | None) -> str:
    lines = [f"Usage: {prog} [OPTIONS]", ""]
    if doc:
        lines += ["  " + doc.strip().splitlines()[0], ""]
    lines.append("Options:")
    for p in params:
        flag = f"{p.opt} / --no-{p.opt[2:]}" if p.kind == "bool" else f"{p.opt} {p.kind.upper() if p.kind != 'str' else 'TEXT'}"
        extra = "  [required]" if p.default is REQUIRED and p.kind != "bool" else (
            f"  [default: {p.opt[2:] if p.default is True else 'no-' + p.opt[2:] if p.default is False else p.default}]")
        lines.append(f"  {flag}{extra}")
    lines.append("  -h, --help  Show this message and exit.")
    return "\n".join(lines)
