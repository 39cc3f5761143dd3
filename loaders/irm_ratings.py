"""The IRM's rating scales as typed values, and the codes in rating cells that are not ratings.

OGP's files mix codes into their rating columns: ``NA`` (not applicable), ``ND`` (no
data), ``NR`` (not reviewed / not relevant), ``Unclear``, ``Withdrawn``... These are
not ratings and must never become one: a cell holding one gives a :class:`Rated` with
no value and the reason kept. Each scale accepts the spellings of both the current
export (``Not Started``) and the 2016 Explorer (``a. Not started``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Generic, TypeVar

from pydantic_core import PydanticCustomError


class NotRated(StrEnum):
    """Why a rating cell holds no rating."""

    NOT_APPLICABLE = "NOT_APPLICABLE"  # NA, N/A, Not Applicable
    NO_DATA = "NO_DATA"  # ND
    NOT_REVIEWED = "NOT_REVIEWED"  # NR
    UNCLEAR = "UNCLEAR"  # Unclear
    WITHDRAWN = "WITHDRAWN"  # the commitment was withdrawn
    NO_RESULTS_YET = "NO_RESULTS_YET"  # "No early results to report yet"


class Specificity(StrEnum):
    NONE = "NONE"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class PotentialImpact(StrEnum):
    NONE = "NONE"
    MINOR = "MINOR"
    MODERATE = "MODERATE"
    TRANSFORMATIVE = "TRANSFORMATIVE"


class Completion(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    LIMITED = "LIMITED"
    SUBSTANTIAL = "SUBSTANTIAL"
    COMPLETE = "COMPLETE"


class OpenGovernment(StrEnum):
    """ "Did it open government?" (overall, or for one OGP value)."""

    WORSENED = "WORSENED"
    DID_NOT_CHANGE = "DID_NOT_CHANGE"
    MARGINAL = "MARGINAL"
    MAJOR = "MAJOR"
    OUTSTANDING = "OUTSTANDING"


class ChangeInCompletion(StrEnum):
    DECREASE = "DECREASE"
    NO_CHANGE = "NO_CHANGE"
    INCREASE = "INCREASE"


class EarlyResults(StrEnum):
    NO_NOTABLE_RESULTS = "NO_NOTABLE_RESULTS"
    MODERATE = "MODERATE"
    SIGNIFICANT = "SIGNIFICANT"


class PotentialForResults(StrEnum):
    MODEST = "MODEST"
    SUBSTANTIAL = "SUBSTANTIAL"


class OgpValue(StrEnum):
    """The four OGP values a commitment can be relevant to."""

    ACCESS_TO_INFORMATION = "ACCESS_TO_INFORMATION"
    CIVIC_PARTICIPATION = "CIVIC_PARTICIPATION"
    PUBLIC_ACCOUNTABILITY = "PUBLIC_ACCOUNTABILITY"
    TECHNOLOGY = "TECHNOLOGY"


class Iap2Level(StrEnum):
    """The IAP2 spectrum of public participation, lowest first."""

    INFORM = "INFORM"
    CONSULT = "CONSULT"
    INVOLVE = "INVOLVE"
    COLLABORATE = "COLLABORATE"
    EMPOWER = "EMPOWER"


E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class Rated(Generic[E]):
    """A rating cell: a value of its scale, or none and why (or neither, for an empty cell)."""

    value: E | None = None
    reason: NotRated | None = None


NOT_RATED: dict[str, NotRated] = {
    "na": NotRated.NOT_APPLICABLE,
    "n/a": NotRated.NOT_APPLICABLE,
    "not applicable": NotRated.NOT_APPLICABLE,
    "nd": NotRated.NO_DATA,
    "nr": NotRated.NOT_REVIEWED,
    "unclear": NotRated.UNCLEAR,
    "withdrawn": NotRated.WITHDRAWN,
    "no early results to report yet": NotRated.NO_RESULTS_YET,
}

#: every spelling of every scale, folded (lower case, the Explorer's ``a.`` prefix removed)
SPELLINGS: dict[type[StrEnum], dict[str, StrEnum]] = {
    Specificity: {
        "none": Specificity.NONE,
        "low": Specificity.LOW,
        "medium": Specificity.MEDIUM,
        "high": Specificity.HIGH,
    },
    PotentialImpact: {
        "none": PotentialImpact.NONE,
        "minor": PotentialImpact.MINOR,
        "moderate": PotentialImpact.MODERATE,
        "transformative": PotentialImpact.TRANSFORMATIVE,
    },
    Completion: {
        "not started": Completion.NOT_STARTED,
        "limited": Completion.LIMITED,
        "substantial": Completion.SUBSTANTIAL,
        "complete": Completion.COMPLETE,
        "completed": Completion.COMPLETE,
    },
    OpenGovernment: {
        "worsens": OpenGovernment.WORSENED,
        "worsened": OpenGovernment.WORSENED,
        "did not change": OpenGovernment.DID_NOT_CHANGE,
        "none": OpenGovernment.DID_NOT_CHANGE,  # the 2016 Explorer's "b. None"
        "marginal": OpenGovernment.MARGINAL,
        "major": OpenGovernment.MAJOR,
        "outstanding": OpenGovernment.OUTSTANDING,
    },
    ChangeInCompletion: {
        "decrease": ChangeInCompletion.DECREASE,
        "no change": ChangeInCompletion.NO_CHANGE,
        "increase": ChangeInCompletion.INCREASE,
    },
    EarlyResults: {
        "no notable results": EarlyResults.NO_NOTABLE_RESULTS,
        "moderate": EarlyResults.MODERATE,
        "significant": EarlyResults.SIGNIFICANT,
    },
    PotentialForResults: {
        "modest": PotentialForResults.MODEST,
        "substantial": PotentialForResults.SUBSTANTIAL,
    },
    Iap2Level: {level.value.lower(): level for level in Iap2Level},
}


def _fold(raw: str) -> str:
    text = " ".join(raw.split()).casefold()
    return re.sub(r"^[a-e]\.\s*", "", text)


@lru_cache(maxsize=4096)
def rate(scale: type[E], raw: str) -> Rated[E]:
    """The rating a cell holds on ``scale``; raises a pydantic error for anything else."""
    folded = " ".join(raw.split()).casefold()
    if not folded:
        return Rated()
    if folded in NOT_RATED:
        return Rated(reason=NOT_RATED[folded])
    value = SPELLINGS[scale].get(_fold(raw))
    if value is None:
        accepted = sorted({v.title() for v in SPELLINGS[scale]} | {"NA", "ND", "NR", "Unclear"})
        raise PydanticCustomError(
            "rating",
            "not a {scale} rating nor a known code (one of {accepted})",
            {"scale": scale.__name__, "accepted": ", ".join(accepted)},
        )
    return Rated(value=value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Flag:
    """A 0/1 (or Yes/No) cell: true, false, or none and why."""

    value: bool | None = None
    reason: NotRated | None = None


_TRUE = {"1", "yes", "y", "true"}
_FALSE = {"0", "no", "n", "false"}


@lru_cache(maxsize=1024)
def flag(raw: str) -> Flag:
    """The flag a cell holds; raises a pydantic error for anything else."""
    folded = " ".join(raw.split()).casefold()
    if not folded:
        return Flag()
    if folded in _TRUE:
        return Flag(True)
    if folded in _FALSE:
        return Flag(False)
    if folded in NOT_RATED:
        return Flag(reason=NOT_RATED[folded])
    raise PydanticCustomError("flag", "expected 0/1 or Yes/No (or NA, ND, NR)", {})
