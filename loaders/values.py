"""Value types shared by every source format: bilingual text, months, dates, codes, years.

Each is an annotated type for pydantic models, so a wrong value is reported by the
model that holds it, with its place in the file.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
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


def _not_a_date(expected: str) -> BeforeValidator:
    """Refuse a YAML date (``2022-06-01`` unquoted) with a message saying what to write."""

    def check(value: object) -> object:
        if isinstance(value, datetime.date):
            raise PydanticCustomError(
                "format",
                "expected {expected} (in quotes), got the date {value}",
                {"expected": expected, "value": value.isoformat()},
            )
        return value

    return BeforeValidator(check)


def _trimmed(value: str) -> str:
    text = value.strip()
    if not text:
        raise PydanticCustomError("format", "expected some text, got '{value}'", {"value": value})
    return text


Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "fr": "French"}

NonEmpty = Annotated[str, Field(min_length=1)]
#: text with the spaces and line breaks around it removed; empty (or blank) is an error
Trimmed = Annotated[str, AfterValidator(_trimmed)]
Slug = Annotated[
    str, matching(r"[a-z0-9]+(?:-[a-z0-9]+)*", "a lower-case slug such as 'open-data'")
]
Code = Annotated[str, matching(r"[A-Z]+", "an upper-case code such as 'OGP'")]
CountryCode = Annotated[str, matching(r"[A-Z]{3}", "an ISO 3166 alpha-3 code such as 'CAN'")]
PlanKey = Annotated[str, matching(r"[A-Z]{3}-\d{4}-\d{4}", "a plan key such as 'CAN-2016-2018'")]
Month = Annotated[
    str,
    _not_a_date("a month as YYYY-MM"),
    matching(r"\d{4}-(?:0[1-9]|1[0-2])", "a month as YYYY-MM"),
]
Day = Annotated[
    str,
    _not_a_date("a date as YYYY-MM or YYYY-MM-DD"),
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
    """A text in both languages; neither may be left out or empty.

    ``BilingualText("Complete", "Réalisé")`` builds one (checked) from code.
    """

    en: NonEmpty
    fr: NonEmpty

    def __init__(self, en: Any = None, fr: Any = None, /, **data: Any) -> None:
        if en is not None:
            data["en"] = en
        if fr is not None:
            data["fr"] = fr
        super().__init__(**data)

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``en`` or ``fr``)."""
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}")
        return self.en if lang == "en" else self.fr


class Links(BilingualText):
    """The address of a page in each language."""

    en: Url
    fr: Url


class TrimmedText(StrictModel):
    """A text in both languages as a source writes it: the spaces and line breaks around
    each are dropped, and a blank one is an error."""

    en: Trimmed
    fr: Trimmed

    def text(self) -> BilingualText:
        """The same text as a :class:`BilingualText`."""
        return BilingualText(self.en, self.fr)


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
