"""A cheap test that a pattern cannot match, so most patterns are never run on a message.

Nearly every message matches nothing, and running hundreds of regular expressions on each
costs far more than asking whether the words they need are there at all. From a compiled
pattern we take the literal text any match must contain: one of a set of strings ("kil",
"die", "overdos" ...). If none of them is in the message, the pattern cannot match and is
skipped. The test is sound: a string is only required when every way of matching passes
through it; where that cannot be worked out, the pattern is always run.
"""

from __future__ import annotations

import re
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser as parser  # type: ignore[attr-defined]
from typing import Any

_MOST = 300  # more alternatives than this and the test is not worth it
_REPEATS = (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT))


def required(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which is in every match of the pattern, or None if unknown."""
    try:
        found = _sequence(list(parser.parse(pattern.pattern)))
    except Exception:  # noqa: BLE001 - an unreadable pattern is simply always run
        return None
    return tuple(sorted(found)) if found else None


def _sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    options: list[set[str]] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= 2:
            options.append({"".join(run)})
        run.clear()

    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        flush()
        found = _node(op, av)
        if found:
            options.append(found)
    flush()
    useful = [o for o in options if o and min(map(len, o)) >= 2]
    if not useful:
        return None
    return max(useful, key=lambda o: (min(map(len, o)), -len(o)))


def _node(op: Any, av: Any) -> set[str] | None:
    if op is c.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op is c.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            found = _sequence(list(branch))
            if not found:
                return None
            union |= found
            if len(union) > _MOST:
                return None
        return union
    if op in _REPEATS:
        low, _high, item = av
        return _sequence(list(item)) if low >= 1 else None
    return None
