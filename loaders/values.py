"""Value types shared by every source format: bilingual text, months, dates, codes, years.

Each is an annotated type for pydantic models, so a wrong value is reported by the
model that holds it, with its place in the file.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError


def matching(pattern: str, expected: str) -> AfterValidator:
    """A validator that accepts strings matching ``pattern`` whole; ``expected`` says what in errors."""
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise PydanticCustomError(
                "format",
                "expected {expected}, got '{value}'",
                {"expected": expected, "value": value},
            )
        return value

    return AfterValidator(check)


NonEmpty = Annotated[str, Field(min_length=1)]
Slug = Annotated[
    str, matching(r"[a-z0-9]+(?:-[a-z0-9]+)*", "a lower-case slug such as 'open-data'")
]
Code = Annotated[str, matching(r"[A-Z]+", "an upper-case code such as 'OGP'")]
CountryCode = Annotated[str, matching(r"[A-Z]{3}", "an ISO 3166 alpha-3 code such as 'CAN'")]
PlanKey = Annotated[str, matching(r"[A-Z]{3}-\d{4}-\d{4}", "a plan key such as 'CAN-2016-2018'")]
Month = Annotated[str, matching(r"\d{4}-(?:0[1-9]|1[0-2])", "a month as YYYY-MM")]
Day = Annotated[
    str,
    matching(
        r"\d{4}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?", "a date as YYYY-MM or YYYY-MM-DD"
    ),
]
Url = Annotated[str, matching(r"https?://\S+", "an http(s) address")]
Year = Annotated[int, Field(ge=1900, le=2100)]
Count = Annotated[int, Field(gt=0)]


class StrictModel(BaseModel):
    """Strict: unknown keys are errors, and ``2012`` and ``"2012"`` are not the same."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
    )


class BilingualText(StrictModel):
    """A text in both languages; neither may be left out or empty."""

    en: NonEmpty
    fr: NonEmpty


class Links(BilingualText):
    """The address of a page in each language."""

    en: Url
    fr: Url


# --- the whole partnership (OGP's commitment data, the 2016 Explorer, facts) ------------

#: a member's OGP code: ISO 3166 alpha-3 for a national member (``ALB``, ``XKX`` for
#: Kosovo), OGP's own code of four or more letters for a local one (``ESMD``, ``ARBA``)
MemberCode = Annotated[str, matching(r"[A-Z]{3,8}", "a member code such as 'ALB' or 'ESMD'")]
#: a date as precise as the source gives it: ``2011``, ``2011-09`` or ``2011-09-20``
PartialDate = Annotated[
    str,
    matching(
        r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?",
        "a date as YYYY, YYYY-MM or YYYY-MM-DD",
    ),
]
