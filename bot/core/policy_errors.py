"""Errors in human-edited TOML files that name the file, the line and the key."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.\- ]+?)\s*=""")


@dataclass
class PolicyError(Exception):
    """A problem in a policy or message file, worded so a team administrator can fix it."""

    file: str
    line: int | None
    key: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}" if self.line else self.file
        return f"{where}: `{self.key}` {self.problem}" if self.key else f"{where}: {self.problem}"


def _split_key(raw: str) -> list[str]:
    parts = re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', raw.strip())
    return [p.strip().strip("\"'") for p in parts if p.strip()]


def locate_line(text: str, key_path: tuple[str, ...] | list[str]) -> int | None:
    """Best line number (1-based) for a dotted key path in TOML text, or None.

    Finds the line assigning the last key inside the deepest table header that is
    a prefix of the path; falls back to the table header itself.
    """
    path = [str(k) for k in key_path if not isinstance(k, int)]
    if not path:
        return None
    table: list[str] = []
    best: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE.match(line)
        if header:
            table = _split_key(header.group(1))
            if table == path:
                best = best or number
            continue
        match = _KEY.match(line)
        if not match:
            continue
        full = table + _split_key(match.group(1))
        if full == path:
            return number
        if best is None and len(full) <= len(path) and path[: len(full)] == full:
            best = number
    return best


@dataclass(frozen=True)
class TomlSource:
    """A parsed TOML file that remembers its text, so errors can point at lines."""

    file: str
    text: str
    data: dict[str, Any]

    def error(self, key_path: tuple[str, ...] | list[str], problem: str) -> PolicyError:
        key = ".".join(str(k) for k in key_path)
        return PolicyError(self.file, locate_line(self.text, key_path), key, problem)


def read_toml(path: Path, display_name: str | None = None) -> TomlSource:
    """Parse a TOML file; a syntax error becomes a PolicyError with its line."""
    name = display_name or str(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        if line is None:
            found = re.search(r"line (\d+)", str(exc))
            line = int(found.group(1)) if found else None
        raise PolicyError(name, line, "", f"is not valid TOML: {exc}") from None
    return TomlSource(name, text, data)
