"""Server-rendered pages: Jinja2 with autoescaping, control characters made visible."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

import jinja2
from aiohttp import web
from markupsafe import Markup, escape

from bot.core import dates
from bot.core.phones import shown_number
from bot.core.triage import plain_reason

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("bot.web", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
)


def visible(text: str | None) -> Markup:
    """Message text for staff eyes: escaped, with control and bidi characters shown, not obeyed."""
    if text is None:
        return Markup("")
    out = []
    for char in text:
        if char in "\n\t":
            out.append(str(escape(char)))
        elif unicodedata.category(char) in ("Cc", "Cf"):
            out.append(
                f'<span class="control" title="{unicodedata.name(char, "control character")}">'
                f"[U+{ord(char):04X}]</span>"
            )
        else:
            out.append(str(escape(char)))
    return Markup("".join(out))


# The phone simulator shows times as a phone does, not as the console does.
_PHONE_PATTERNS = frozenset({"%a %H:%M", "%a %d %b %H:%M", "%A %d %B, %H:%M", "%A", "%a"})


def local_time(value: datetime | None, tz: Any = None, pattern: str | None = None) -> str:
    """One format across the console: 'Wednesday 2 December 2026 at 3:49pm'; a pattern with no
    hour gives the date alone ('2 Dec 2026'), one with only the hour the time ('3:49pm')."""
    if value is None:
        return ""
    local = value.astimezone(tz) if tz else value
    if pattern in _PHONE_PATTERNS:
        return local.strftime(pattern)
    if pattern is not None and "%H" not in pattern:
        return dates.short_date(local)
    if pattern is not None and not any(t in pattern for t in ("%d", "%a", "%A", "%b", "%B")):
        return dates.clock(local)  # a time alone
    return dates.long_moment(local)


def plain_reasons(reasons: list[str]) -> str:
    """What staff read first: each kind of risk once, in plain words (older reasons whole)."""
    said = dict.fromkeys(
        plain for plain, _ in map(plain_reason, reasons) if not plain.startswith("intent ")
    )
    return "; ".join(said)


def reason_details(reasons: list[str]) -> list[str]:
    """The rule detail behind each reason, for those who want it."""
    return [detail for _, detail in map(plain_reason, reasons) if detail]


_env.filters["visible"] = visible
_env.filters["long_moment"] = dates.long_moment
_env.filters["short_date"] = dates.short_date
_env.filters["long_date"] = dates.long_date
_env.filters["phone"] = shown_number
_env.filters["time_of_day"] = lambda at, tz=None: dates.clock(at.astimezone(tz) if tz else at)
_env.filters["plain_reasons"] = plain_reasons
_env.filters["reason_details"] = reason_details
_env.filters["local_time"] = local_time


def html_text(template: str, **context: Any) -> str:
    return _env.get_template(template).render(**context)


def render(template: str, status: int = 200, **context: Any) -> web.Response:
    html = html_text(template, **context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
