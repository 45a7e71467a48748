"""The words a parent receives: the template in force for a message and locale, rendered."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core import sms, templates

TemplateKey = tuple[str, str, str]  # (message, locale, variant): variant "standard" or "easy"


@dataclass(frozen=True)
class Rendered:
    message: str
    body: str
    locale: str
    fell_back: bool
    encoding: str
    segments: int


@dataclass(frozen=True)
class Wording:
    """Templates in force (file defaults with administrators' edits laid over) and team values."""

    texts: Mapping[TemplateKey, str]
    catalogue: templates.Catalogue
    team_values: Mapping[str, str] = field(default_factory=dict)

    def render(
        self, message: str, *, locale: str, values: Mapping[str, str], easy_read: bool = False
    ) -> Rendered:
        template, used_locale, fell_back = templates.choose_template(
            self.texts, message, locale, easy_read
        )
        allowed = self.catalogue.spec(message).placeholders
        wanted = templates.placeholders_in(template)
        merged = {k: v for k, v in {**self.team_values, **values}.items() if k in wanted}
        body = templates.render(template, merged, allowed)
        info = sms.segment_info(body)
        return Rendered(message, body, used_locale, fell_back, info.encoding, info.segments)

    def with_texts(self, overrides: Mapping[TemplateKey, str]) -> Wording:
        return Wording({**self.texts, **overrides}, self.catalogue, self.team_values)
