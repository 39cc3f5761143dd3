"""The one rule that names a plan node, whichever source describes the plan.

A plan is known everywhere by its member and its number (OGP's "Action Plan Number";
the 2016 Explorer has nothing else). Its key is OGP's own plan id, ``AP_`` + member
code + two-digit number (``AP_ALB01``), except for the plans the project knew before
OGP's data (Canada's, keyed by years since the first release: ``CAN-2018-2020``),
which keep their key. The exceptions are a fixed table, not something read from the
store, so that no member ever gets two nodes for one plan, whatever the order of
loading: every loader calls :func:`plan_key`.
"""

from __future__ import annotations

import re

#: plans keyed before OGP's data came in: (member, number) -> key. The bundled dataset
#: and the portal's tracker definitions use these keys (tests check both agree).
LEGACY_PLAN_KEYS: dict[tuple[str, int], str] = {
    ("CAN", 1): "CAN-2012-2014",
    ("CAN", 2): "CAN-2014-2016",
    ("CAN", 3): "CAN-2016-2018",
    ("CAN", 4): "CAN-2018-2020",
    ("CAN", 5): "CAN-2022-2024",
    ("CAN", 6): "CAN-2025-2029",
}

_OGP_PLAN_ID = re.compile(r"AP_([A-Z]{3,8})(\d{2,})")


def ogp_plan_id(member: str, number: int) -> str:
    """OGP's id of a member's plan: ``AP_ALB01``, ``AP_ESMD02``."""
    return f"AP_{member}{number:02d}"


def parse_ogp_plan_id(plan_id: str) -> tuple[str, int] | None:
    """``AP_ALB01`` -> ``("ALB", 1)``; ``None`` when it is not of that form."""
    match = _OGP_PLAN_ID.fullmatch(plan_id)
    return (match.group(1), int(match.group(2))) if match else None


def plan_key(member: str, number: int) -> str:
    """The key of a member's plan node (``Plan:<key>``)."""
    return LEGACY_PLAN_KEYS.get((member, number)) or ogp_plan_id(member, number)
