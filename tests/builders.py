"""Small builders for test data, in the spirit of GOV.UK Notify's create_notification()."""

from __future__ import annotations

from typing import Any


def parent_json(name: str = "Chloe Martin", mobile: str = "07700 900101", **extra: Any) -> dict:
    return {"name": name, "relationship": "mother", "mobile": mobile, **extra}


def family_json(
    reference: str = "PIR-1001", parents: list[dict] | None = None, **extra: Any
) -> dict:
    return {
        "reference": reference,
        "mother_name": "Chloe Martin",
        "due_date": "2027-01-15",
        "referrer": {"name": "Priya Nair", "role": "Midwife", "organisation": "City Maternity"},
        "parents": parents if parents is not None else [parent_json()],
        **extra,
    }
