"""The United States' 5th National Action Plan tracker (open.usa.gov): Jekyll pages.

``_commitments/US0113.md`` gives a commitment (its OGP id, title, theme, page);
``_subcommitments/us0113-1.md`` a sub-commitment (``US0113.1``; ``.0`` when the
commitment has no parts) with its lead agencies (separated by ``<br>``), its status,
its August 2023 progress and a Markdown body with "Progress Update:" and "Evidence:".
In the graph (docs/partnership-model.md) the plan is the US's 5th (2022-2024), each
commitment the same node as OGP's data gives for its id, each sub-commitment a
milestone led by its agencies, and its status, progress and evidence its progress update.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationError

from graph.document import GraphDocument, node_id
from loaders.errors import SourceError, SourceProblem
from loaders.institutions import institution_key, split_institutions
from loaders.partnership_graph import add_country, add_plan, put
from loaders.values import NonEmpty, StrictModel
from loaders.yaml_reader import read_yaml

PLAN_NUMBER = 5
START_YEAR, END_YEAR = 2022, 2024
SITE = "https://open.usa.gov"

#: the tracker's statuses, lowest first: code, English, French
STATUSES: tuple[tuple[str, str, str], ...] = (
    ("NOT_STARTED", "Not Started", "Non commencé"),
    ("IN_PROGRESS", "In Progress", "En cours"),
    ("COMPLETE", "Complete", "Terminé"),
)
_STATUS_CODES = {en: code for code, en, _ in STATUSES}


def _stripped(raw: Any) -> Any:
    return " ".join(raw.split()) if isinstance(raw, str) else raw


Text = Annotated[NonEmpty, BeforeValidator(_stripped)]
CommitmentId = Annotated[str, Field(pattern=r"^US\d{4}$")]


class TrackerModel(StrictModel):
    model_config = StrictModel.model_config | {"extra": "ignore", "alias_generator": None}


class CommitmentPage(TrackerModel):
    """The front matter of a commitment page."""

    commitment_id: CommitmentId
    title: Text
    commitment_theme_name: Text
    permalink: NonEmpty
    commitment_detail_sub: str | None = None


class SubCommitmentPage(TrackerModel):
    """The front matter of a sub-commitment page, and its body."""

    commitment_detail_sub_id: Annotated[str, Field(pattern=r"^US\d{4}\.\d+$")]
    commitment_id: CommitmentId
    title: Text
    commitment_detail_sub: Text
    commitment_agency: NonEmpty
    commitment_status: Literal["Complete", "In Progress", "Not Started"]
    aug_2023_progress: str | None = None
    permalink: NonEmpty
    body: str = ""


@dataclass(frozen=True)
class UsTracker:
    """The tracker's pages, checked: commitments by id, sub-commitments in id order."""

    name: str
    commitments: dict[str, CommitmentPage]
    subcommitments: list[SubCommitmentPage]


_FRONT_MATTER = re.compile(r"\A\ufeff?---\s*\n(.*?)\n---\s*(?:\n(.*))?\Z", re.DOTALL)


def looks_like_us_tracker_page(text: str) -> bool:
    """A Jekyll page of the tracker (front matter with ``commitment_id``)."""
    match = _FRONT_MATTER.match(text[:20000] + ("\n---\n" if text.count("---") < 2 else ""))
    return bool(match) and "commitment_id:" in text[:5000]


def read_us_tracker_page(text: str, file: str) -> CommitmentPage | SubCommitmentPage:
    """One page: a commitment, or a sub-commitment (when it has ``commitment_detail_sub_id``)."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise SourceError.single(file, "line 1", "expected YAML front matter between '---' lines")
    data = read_yaml(match.group(1), file)
    if not isinstance(data, dict):
        raise SourceError.single(file, "front matter", "expected a mapping")
    model: type[CommitmentPage] | type[SubCommitmentPage] = (
        SubCommitmentPage if "commitment_detail_sub_id" in data else CommitmentPage
    )
    if model is SubCommitmentPage:
        data = {**data, "body": match.group(2) or ""}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SourceError(
            [
                SourceProblem(
                    file,
                    f"front matter, field {'.'.join(str(p) for p in e['loc'])!r}",
                    f"{e['msg']}, got {e.get('input')!r}" if e["type"] != "missing" else "missing",
                )
                for e in exc.errors()
            ]
        ) from None


def tracker_pages(location: Path | Mapping[str, str] | bytes) -> dict[str, str]:
    """The pages of a tracker, by path: from a folder, a mapping or a zip archive's bytes
    (GitHub's archive of the ``gh-pages`` branch). Only ``_commitments/`` and
    ``_subcommitments/`` Markdown pages are kept."""
    if isinstance(location, bytes):
        with zipfile.ZipFile(io.BytesIO(location)) as archive:
            pages = {
                info.filename: archive.read(info).decode("utf-8")
                for info in archive.infolist()
                if not info.is_dir()
            }
    elif isinstance(location, Path):
        pages = {
            str(path.relative_to(location)): path.read_text(encoding="utf-8")
            for path in sorted(location.rglob("*.md"))
        }
    else:
        pages = dict(location)
    return {
        name: text
        for name, text in pages.items()
        if name.endswith(".md")
        and PurePosixPath(name).parent.name in ("_commitments", "_subcommitments")
    }


def read_us_tracker(location: Path | Mapping[str, str] | bytes, name: str) -> UsTracker:
    """Check every page; ``SourceError`` lists every problem of every page."""
    problems: list[SourceProblem] = []
    commitments: dict[str, CommitmentPage] = {}
    subs: dict[str, tuple[str, SubCommitmentPage]] = {}
    pages = tracker_pages(location)
    if not pages:
        raise SourceError.single(name, "", "holds no _commitments/ or _subcommitments/ page")
    for path, text in sorted(pages.items()):
        try:
            page = read_us_tracker_page(text, path)
        except SourceError as exc:
            problems += exc.problems
            continue
        if isinstance(page, CommitmentPage):
            if page.commitment_id in commitments:
                problems.append(SourceProblem(path, "", f"{page.commitment_id} has two pages"))
            commitments[page.commitment_id] = page
        else:
            sub_id = page.commitment_detail_sub_id
            if not sub_id.startswith(page.commitment_id + "."):
                problems.append(
                    SourceProblem(
                        path, "front matter", f"{sub_id} is not a part of {page.commitment_id}"
                    )
                )
            if sub_id in subs:
                problems.append(SourceProblem(path, "", f"{sub_id} is also on {subs[sub_id][0]}"))
            subs[sub_id] = (path, page)
    for path, page in sorted(subs.values(), key=lambda item: item[0]):
        if page.commitment_id not in commitments:
            problems.append(
                SourceProblem(path, "front matter", f"no commitment page for {page.commitment_id}")
            )
    if problems:
        raise SourceError(problems)
    ordered = [page for _, (_, page) in sorted(subs.items(), key=lambda kv: _natural(kv[0]))]
    return UsTracker(name, commitments, ordered)


def _natural(sub_id: str) -> tuple[int, int]:
    number, part = sub_id[2:].split(".")
    return int(number), int(part)


# --- the body ---------------------------------------------------------------------------


def _plain(text: str) -> str | None:
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    lines = [line.strip() for line in text.splitlines()]
    result = "\n".join(line for line in lines if line).strip()
    return None if result.casefold().rstrip(".") in ("", "none", "n/a") else result


def progress_and_evidence(body: str) -> tuple[str | None, str | None]:
    """The "Progress Update:" and "Evidence:" parts of a sub-commitment's body."""
    match = re.search(r"Progress Update:(.*?)(?:Evidence:(.*))?\Z", body, re.DOTALL | re.IGNORECASE)
    if match is None:
        return _plain(body), None
    return _plain(match.group(1)), _plain(match.group(2) or "")


# --- the graph ---------------------------------------------------------------------------


def us_tracker_document(tracker: UsTracker) -> GraphDocument:
    """The plan, commitments (OGP ids), milestones, agencies and progress updates."""
    name = tracker.name
    digest = hashlib.sha256()
    for page in [*tracker.commitments.values(), *tracker.subcommitments]:
        digest.update(page.model_dump_json().encode())
    doc = GraphDocument(f"us-tracker:{name}", digest.hexdigest()[:12])
    country = add_country(doc, "USA", f"{name}#plan")
    plan = add_plan(
        doc,
        country,
        "USA",
        PLAN_NUMBER,
        f"{name}#plan",
        member_names=("United States", "États-Unis"),
        submission_year=START_YEAR,
        end_year=END_YEAR,
        as_defaults=True,
    )
    plan_key_ = plan.split(":", 1)[1]
    for rank, (code, en, fr) in enumerate(STATUSES, start=1):
        sid = put(
            doc,
            "Status",
            f"{plan_key_}:{code}",
            f"{name}#status/{code}",
            code=code,
            rank=rank,
            label_en=en,
            label_fr=fr,
        )
        doc.link("HAS_STATUS_LEVEL", plan, sid)
    for cid_, page in sorted(tracker.commitments.items()):
        source = f"{name}#{cid_}"
        cid = put(
            doc,
            "Commitment",
            cid_,
            source,
            # OGP's data states these better: the tracker only fills in
            defaults={"title_en": page.title, "theme_en": page.commitment_theme_name, "code": cid_},
            ogpId=cid_,
            trackerUrl=SITE + page.permalink,
        )
        doc.link("HAS_COMMITMENT", plan, cid)
    for sub in tracker.subcommitments:
        sub_id = sub.commitment_detail_sub_id
        source = f"{name}#{sub_id}"
        mid = put(
            doc,
            "Milestone",
            f"{plan_key_}:{sub_id}",
            source,
            code=sub_id,
            title_en=sub.commitment_detail_sub,
            trackerUrl=SITE + sub.permalink,
        )
        doc.link("HAS_MILESTONE", node_id("Commitment", sub.commitment_id), mid)
        for agency in split_institutions(sub.commitment_agency):
            dept = put(
                doc,
                "Department",
                institution_key("USA", agency),
                source,
                defaults={"name_en": agency},
                member="USA",
                code=institution_key("USA", agency),
            )
            doc.link("LED_BY", mid, dept)
            doc.link("HAS_INSTITUTION", country, dept)
        progress, evidence = progress_and_evidence(sub.body)
        august = _plain(sub.aug_2023_progress or "")
        uid = put(
            doc,
            "ProgressUpdate",
            f"{plan_key_}:{sub_id}",
            source,
            progress_en=progress,
            evidence_en=evidence,
            progressAugust2023_en=august,
        )
        doc.link("HAS_UPDATE", mid, uid)
        doc.link(
            "HAS_STATUS",
            uid,
            node_id("Status", f"{plan_key_}:{_STATUS_CODES[sub.commitment_status]}"),
            replace=True,
        )
    return doc
