"""One Cypher statement for a whole request: a selection tree in, a nested answer out.

The GraphQL layer describes what a request asks of each node as a :class:`Pick`
(the stored properties it reads, and per related field what to follow, filter,
sort and page); this module writes the one statement whose rows already hold
that tree: each node as a map of only those properties (``id`` always), and
under ``__<key>`` the prefetched answer of each related field (a list, a count,
``[total, items]`` for a page, or for a to-one link the list :func:`first_of` picks
from). Related fields are pattern comprehensions and ``COLLECT {}`` and ``COUNT {}``
subqueries inside the map projection, so a field of a node that has no related
nodes gives ``[]``/``0``/``null`` and never drops the node.

Filters and sorts are the query builder's (:class:`graph.query_builder.FilterCompiler`,
:func:`graph.query_builder.order_by`); labels, types and property names come
from :mod:`graph.fields` and :mod:`graph.domain` only, and every value a user
gave is a parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cmp_to_key
from typing import Any

from graph import query_builder as qb
from graph.constraints import ID_ORDERED
from graph.domain import ENTITY_BY_LABEL, Kind, Link, path_pattern
from graph.fields import FIELDS, LINKS
from graph.index_order import pages_by_index
from graph.statements import Statement

#: the prefix of the keys that hold prefetched related fields in a node's map
PREFIX = "__"
#: the key of a to-one link's node that holds its sort keys: no stored property has that
#: name, and the slots of response keys start with two underscores
ORDER_KEY = "_order"
#: the language of the default order a to-one link picks its node by
ONE_LANG = "en"


@dataclass(frozen=True)
class Many:
    """A to-many field: its nodes in order, one page of them (``limit`` None: all)."""

    key: str
    link: str
    node: Pick
    where: qb.Where = qb.EVERYTHING
    sort: tuple[qb.Order, ...] = ()
    skip: int = 0
    limit: int | None = None
    #: also count every match (``totalCount``, ``pageInfo``): the value is ``[total, items]``
    total: bool = False


@dataclass(frozen=True)
class One:
    """A to-one field: the first related node in the target's default order, or null."""

    key: str
    link: str
    node: Pick


@dataclass(frozen=True)
class Count:
    """How many nodes a to-many link leads to that pass ``where``."""

    key: str
    link: str
    where: qb.Where = qb.EVERYTHING


@dataclass(frozen=True)
class Neighbour:
    """The plan before (``previous``) or after (``next``) a plan among its country's plans.

    As :data:`graph.reads.PLAN_NEIGHBOURS` answers it: by ``startYear``, ties by id.
    """

    key: str
    side: str
    node: Pick


#: the sides of :class:`Neighbour`: the comparison of start years, and the order that puts
#: the nearest plan first
NEIGHBOUR_SIDES = {"previous": ("<", "DESC"), "next": (">", "ASC")}
#: the links from a plan to the plans of its country
_COUNTRY_PLANS = ("country", "plans")

Related = Many | One | Count | Neighbour


def first_of(found: list[dict[str, Any]] | None, label: str) -> dict[str, Any] | None:
    """The node of a to-one link's list that ``ORDER BY`` (``label``'s default order) puts
    first, as ``LIMIT 1`` would pick it; ``None`` for an empty list.

    The statement returns every node the link reaches (see :meth:`_Writer.related`), with
    the values of the order's expressions under :data:`ORDER_KEY`; nearly always one.
    """
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    directions = [d for _, d in qb.order_terms(label, "n", (), ONE_LANG)]

    def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
        for x, y, direction in zip(a[ORDER_KEY], b[ORDER_KEY], directions, strict=True):
            order = _cypher_compare(x, y)
            if order:
                return order if direction == "ASC" else -order
        return 0

    return min(found, key=cmp_to_key(compare))


def _cypher_compare(x: Any, y: Any) -> int:
    """Cypher's ascending order of two values: null after everything; values of different
    kinds by kind (lists, then strings, booleans, numbers, as Neo4j 5 orders them)."""
    if x is None or y is None:
        return int(x is None) - int(y is None)
    kinds = (_kind_rank(x), _kind_rank(y))
    if kinds[0] != kinds[1]:
        return -1 if kinds[0] < kinds[1] else 1
    return int(x > y) - int(x < y)


def _kind_rank(value: Any) -> int:
    if isinstance(value, bool):  # before int: a bool is an int to Python
        return 2
    if isinstance(value, (int, float)):
        return 3
    return 1 if isinstance(value, str) else 0


@dataclass(frozen=True)
class Pick:
    """What to return of a node of ``label``: stored properties and related fields."""

    label: str
    #: stored property names (``id`` is added unless ``keep_id`` is off)
    props: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    #: bilingual texts (names without ``_en``) shown in the statement's language only: under
    #: ``<name>_<lang>``, that language's text, else the other's (as schema.lang.pick reads it)
    texts: tuple[str, ...] = ()
    #: fetch ``id`` even when not asked: a root node's rows are matched by it, and a field
    #: left to its resolver finds its parent by it. A nested node whose every field is
    #: compiled needs it for nothing (it was a quarter of the plan tree's bytes).
    keep_id: bool = True


@dataclass
class _Writer:
    """Writes one statement, sharing parameters and variable names across its levels."""

    lang: str
    filters: qb.FilterCompiler = field(default_factory=qb.FilterCompiler)
    depth: int = 0

    def node_var(self) -> str:
        self.depth += 1
        return f"n{self.depth}"

    def project(
        self, var: str, pick: Pick, order: tuple[str, ...] = (), also: tuple[str, ...] = ()
    ) -> str:
        """The map projection of ``var``: its properties, then each related field, then
        under :data:`ORDER_KEY` the values of the ``order`` expressions, if any. ``also``:
        stored properties outside the domain's (search's document number)."""
        entries = [".id"] if pick.keep_id else []
        entries += [f".{name}" for name in also]
        entries += [f".{_prop(pick.label, p)}" for p in pick.props]
        for text in pick.texts:
            entries.append(self.text(pick.label, var, text, pick.props))
        for rel in pick.related:
            entries.append(f"{PREFIX}{_key(rel.key)}: {self.related(pick.label, var, rel)}")
        if order:
            entries.append(f"{ORDER_KEY}: [{', '.join(order)}]")
        return f"{var} {{{', '.join(dict.fromkeys(entries or ['.id']))}}}"

    def text(self, label: str, var: str, text: str, props: tuple[str, ...]) -> str:
        """The bilingual ``text`` in the statement's language, else in the other one: half
        the bytes of both, for the same answer (an empty text counts as none, as for
        schema.lang.pick)."""
        own = _prop(label, f"{text}_{self.lang}")
        if own in props:  # both languages are fetched for another field
            return f".{own}"
        other = _prop(label, f"{text}_{qb.other_lang(self.lang)}")
        return f"{own}: CASE WHEN {var}.{own} <> '' THEN {var}.{own} ELSE {var}.{other} END"

    def related(self, label: str, var: str, rel: Related) -> str:
        if isinstance(rel, Neighbour):
            return self.neighbour(label, var, rel)
        link = _link(label, rel.link)
        other = self.node_var()
        pattern = link.pattern(var, other)
        if isinstance(rel, Count):
            condition = self.filters.where(link.target, other, rel.where)
            return f"COUNT {{ MATCH {pattern}{qb.where_clause(condition)} }}"
        if isinstance(rel, One):
            # every node the link reaches with its sort keys, which first_of picks from: a
            # pattern comprehension costs the embedded store a fraction of a sorted COLLECT {}
            # (0.02 ms a row of a page), and a to-one link reaches one node, rarely two
            terms = qb.order_terms(link.target, other, (), ONE_LANG)
            body = self.project(other, rel.node, tuple(expr for expr, _ in terms))
            return f"[{pattern} | {body}]"
        condition = self.filters.where(link.target, other, rel.where)
        order = qb.order_by(link.target, other, rel.sort, self.lang)
        page = ""
        if rel.skip:
            page += f" SKIP {self.filters.param(rel.skip)}"
        if rel.limit is not None:
            page += f" LIMIT {self.filters.param(rel.limit)}"
        body = self.project(other, rel.node)
        items = (
            f"COLLECT {{ MATCH {pattern}{qb.where_clause(condition)} "
            f"WITH {other} ORDER BY {order}{page} "
            f"RETURN {body} }}"
        )
        if not rel.total:
            return items
        counted = self.node_var()
        count_condition = self.filters.where(link.target, counted, rel.where)
        total = f"COUNT {{ MATCH {link.pattern(var, counted)}{qb.where_clause(count_condition)} }}"
        # a list, not a map: ArcadeDB makes a map literal that holds a COLLECT of maps null
        return f"[{total}, {items}]"

    def neighbour(self, label: str, var: str, rel: Neighbour) -> str:
        if label != "Plan" or rel.side not in NEIGHBOUR_SIDES or rel.node.label != "Plan":
            raise qb.QueryError(f"{label} has no {rel.side!r} plan")
        compare, direction = NEIGHBOUR_SIDES[rel.side]
        other = self.node_var()
        pattern = path_pattern(label, _COUNTRY_PLANS, var, other)
        body = self.project(other, rel.node)
        return (
            f"head(COLLECT {{ MATCH {pattern} WHERE {other}.startYear {compare} {var}.startYear "
            f"WITH {other} ORDER BY {other}.startYear {direction}, {other}.id_sort {direction} "
            f"LIMIT 1 RETURN {body} }})"
        )


def _prop(label: str, name: str) -> str:
    entity = ENTITY_BY_LABEL[label]
    if name in ("id", "sources", "loadedAt"):
        return name
    base, _, lang = name.rpartition("_")
    prop = entity.props.get(base) if lang in qb.LANGS else None
    if prop is not None and prop.kind in (Kind.BILINGUAL, Kind.URL):
        return name
    prop = entity.props.get(name)
    if prop is None or prop.kind in (Kind.BILINGUAL, Kind.URL, Kind.COUNT):
        raise qb.QueryError(f"{label} stores no property {name!r}")
    return name


def _link(label: str, name: str) -> Link:
    try:
        return LINKS[label][name]
    except KeyError:
        raise qb.QueryError(f"{label} has no relationship {name!r}") from None


_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


def _key(key: str) -> str:
    """A response key (a GraphQL name: safe in Cypher map keys)."""
    if not _NAME.fullmatch(key):
        raise qb.QueryError(f"{key!r} is not a field name")
    return key


def page(
    label: str,
    pick: Pick,
    where: qb.Where,
    sort: tuple[qb.Order, ...],
    lang: str,
    skip: int,
    limit: int,
    total: bool,
    index_walked: bool | None = None,
) -> qb.Built:
    """One page of ``label`` passing ``where``, each node projected as ``pick``.

    With ``total``: rows that :func:`page_answer` reads (``total`` and ``nodes``); else one
    row per node, ``node``.

    A page of every node of a label in id order, where the store walks the label's
    ``id_sort`` index for it and that has enough nodes for it to pay (``index_walked``, by
    default :func:`graph.index_order.pages_by_index`), is returned by the final ``RETURN ... ORDER BY
    ... SKIP ... LIMIT``: the store reads the index and stops at the page's end, where
    sorting every node takes hundreds of milliseconds at 11k indicators. Its total comes
    from a ``UNION ALL`` branch of its own, as the store walks no index for an ordering
    under an aggregation or a subquery; that branch counts in a subquery of its own, which
    the store answers from the label's count (2 ms at 30k nodes, where ``RETURN count(n),
    null`` counts them one by one: 150-320 ms). Other pages sort every match and project only the
    page (where the index is not walked, projecting before sorting would project them all).
    """
    writer = _Writer(lang)
    match = qb.match_where(label, "n", where, writer.filters)
    order = qb.order_by(label, "n", sort, lang)
    skip_param, limit_param = writer.filters.param(skip), writer.filters.param(limit)
    body = writer.project("n", pick)
    if index_walked is None:
        index_walked = pages_by_index(label, limit)
    by_index = index_walked and in_id_order(label, match, order)
    if by_index:
        in_order = f"ORDER BY {order} SKIP {skip_param} LIMIT {limit_param}"
        if total:
            cypher = (
                f"CALL {{ {match} RETURN count(n) AS total }} RETURN total, null AS node "
                f"UNION ALL {match} RETURN null AS total, {body} AS node {in_order}"
            )
        else:
            cypher = f"{match} RETURN {body} AS node {in_order}"
    elif total:
        cypher = (
            f"{match} WITH n ORDER BY {order} "
            "WITH collect(n) AS matched "
            f"RETURN size(matched) AS total, "
            f"[n IN matched[{skip_param}..({skip_param} + {limit_param})] | {body}] AS nodes"
        )
    else:
        cypher = (
            f"{match} WITH n ORDER BY {order} "
            f"SKIP {skip_param} LIMIT {limit_param} RETURN {body} AS node"
        )
    params = writer.filters.params
    name = ("compiled.page" if total else "compiled.rows") + ("_by_index" if by_index else "")
    name = f"{name}[{label}]"
    return qb.Built(Statement(name, cypher, params, projected=True), params)


def in_id_order(label: str, match: str, order: str) -> bool:
    """True when a page's ``match`` and ``order`` are every node of ``label`` in
    ``id_sort`` order: the order its ``id_sort`` index holds them in."""
    return match == f"MATCH (n:{label})" and order == "n.id_sort ASC"


def page_answer(rows: list[dict[str, Any]]) -> tuple[int, list[Any]]:
    """``(total, nodes)`` of the rows of a :func:`page` statement with ``total``.

    Either one row with both, or (a page read through the index) the ``total`` row and
    one ``node`` row per node in order, the total's row wherever the store put it.
    """
    if len(rows) == 1 and "nodes" in rows[0]:
        return rows[0]["total"], list(rows[0]["nodes"])
    if not rows:
        return 0, []
    total = next((row["total"] for row in rows if row["total"] is not None), 0)
    return total, [row["node"] for row in rows if row["total"] is None]


def by_ids(label: str, pick: Pick, lang: str) -> qb.Built:
    """The nodes of ``label`` whose id is in ``$ids``, each projected as ``pick``."""
    writer = _Writer(lang)
    body = writer.project("n", pick)
    cypher = f"MATCH (n:{label}) WHERE n.id IN $ids RETURN {body} AS node"
    params = writer.filters.params
    statement = Statement(f"compiled.by_ids[{label}]", cypher, params | {"ids": []}, projected=True)
    return qb.Built(statement, params)


def projection(
    var: str, pick: Pick, lang: str, also: tuple[str, ...] = ()
) -> tuple[str, dict[str, Any]]:
    """The map projection of ``var`` as ``pick`` (with ``also``, see :meth:`_Writer.project`)
    and the parameters it needs, for a statement written elsewhere."""
    writer = _Writer(lang)
    body = writer.project(var, pick, also=also)
    return body, writer.filters.params


@dataclass(frozen=True)
class Candidate:
    """One way a lookup finds its node: the node with ``node_id``, else (``node_id`` None)
    the first node passing ``where`` in the label's default order."""

    pick: Pick
    node_id: str | None = None
    where: qb.Where = qb.EVERYTHING


def id_else(pick: Pick, node_id: str, field: str, value: str) -> tuple[Candidate, Candidate]:
    """The node with ``node_id``, else the first whose ``field`` equals ``value``."""
    where = qb.Where(conditions=(qb.Condition(field, "eq", value),))
    return Candidate(pick, node_id), Candidate(pick, where=where)


def first_found(candidates: tuple[Candidate, ...], lang: str) -> qb.Built:
    """One row, ``node``: the first candidate's node that exists, projected as its pick, or null.

    A candidate is looked for only when the ones before it found nothing (``CASE``), so a
    lookup that falls back to a filter pays for it only when the id is not there.
    """
    if not candidates:
        raise qb.QueryError("a lookup needs a candidate")
    writer = _Writer(lang)
    found: list[str] = []
    for candidate in candidates:
        label = candidate.pick.label
        var = writer.node_var()
        if candidate.node_id is not None:
            match = (
                f"MATCH ({var}:{label}) WHERE {var}.id = {writer.filters.param(candidate.node_id)}"
            )
        else:
            match = (
                f"{qb.match_where(label, var, candidate.where, writer.filters)} "
                f"WITH {var} ORDER BY {qb.order_by(label, var, (), lang)} LIMIT 1"
            )
        found.append(f"head(COLLECT {{ {match} RETURN {writer.project(var, candidate.pick)} }})")
    cypher = f"WITH {found[0]} AS found0"
    for position, expression in enumerate(found[1:], start=1):
        earlier = ", ".join(f"found{i}" for i in range(position))
        cypher += (
            f" WITH {earlier}, CASE WHEN coalesce({earlier}) IS NULL THEN {expression} END "
            f"AS found{position}"
        )
    cypher += f" RETURN coalesce({', '.join(f'found{i}' for i in range(len(found)))}) AS node"
    labels = ",".join(c.pick.label for c in candidates)
    params = writer.filters.params
    statement = Statement(f"compiled.first_found[{labels}]", cypher, params, projected=True)
    return qb.Built(statement, params)


# --- every shape, for the Cypher check -------------------------------------------


def _stored(label: str) -> tuple[str, ...]:
    names: list[str] = ["sources", "loadedAt"]
    for name, prop in ENTITY_BY_LABEL[label].props.items():
        if prop.kind in (Kind.BILINGUAL, Kind.URL):
            names += [f"{name}_en", f"{name}_fr"]
        elif prop.kind is not Kind.COUNT:
            names.append(name)
    return tuple(names)


def sample_pick(label: str, depth: int = 1) -> Pick:
    """Every property of ``label`` and, ``depth`` levels down, every related field."""
    related: list[Related] = []
    if depth > 0:
        for name, link in LINKS.get(label, {}).items():
            inner = sample_pick(link.target, depth - 1) if depth > 1 else Pick(link.target)
            if link.many:
                sort = tuple(qb.Order(f, "DESC") for f in list(FIELDS[link.target])[:2])
                where = qb.Where(conditions=(qb.Condition("id", "in", ("x",)),))
                related.append(Many(name, name, inner, where, sort, 1, 2, total=True))
                related.append(Many(f"{name}All", name, Pick(link.target)))
                related.append(Count(f"{name}Count", name, where))
            else:
                related.append(One(name, name, inner))
        if label == "Plan":
            for side in NEIGHBOUR_SIDES:
                related.append(Neighbour(side, side, Pick(label, ("title_en",))))
    return Pick(label, _stored(label), tuple(related))


def lintable_statements() -> Iterator[Statement]:
    """Per label: a page and a lookup by id with every property and related field."""
    for label in FIELDS:
        pick = sample_pick(label)
        where = qb.Where(conditions=(qb.Condition("id", "in", ("x",)),))
        yield page(label, pick, where, (), "fr", 0, 2, True, index_walked=False).statement
        yield page(label, Pick(label), qb.EVERYTHING, (), "en", 0, 2, False, False).statement
        if label in ID_ORDERED:  # read through the id_sort index, where the store walks it
            for total in (True, False):
                built = page(label, pick, qb.EVERYTHING, (), "en", 0, 2, total, index_walked=True)
                yield built.statement
        yield by_ids(label, Pick(label, _stored(label)), "en").statement
    yield by_ids("Plan", NESTED_SAMPLE, "en").statement
    # the lookups of ``member(code)``, ``commitment(ogpId)`` and ``department(code)``
    members = ("LocalGovernment", "Country")
    yield first_found(tuple(Candidate(sample_pick(m), f"{m}:X") for m in members), "en").statement
    commitment = sample_pick("Commitment")
    yield first_found(id_else(commitment, "Commitment:X", "ogpId", "x"), "fr").statement
    department = sample_pick("Department")
    yield first_found(id_else(department, "Department:x", "abbreviation", "x"), "en").statement


#: a plan with its commitments, their milestones and the departments that lead them
NESTED_SAMPLE = Pick(
    "Plan",
    ("title_en", "title_fr"),
    (
        Many(
            "commitments",
            "commitments",
            Pick(
                "Commitment",
                ("code",),
                (
                    Many(
                        "milestones",
                        "milestones",
                        Pick(
                            "Milestone",
                            ("code", "url_en", "url_fr"),
                            (
                                Many(
                                    "departments",
                                    "departments",
                                    Pick("Department", ("code",), keep_id=False),
                                ),
                                One("commitment", "commitment", Pick("Commitment")),
                            ),
                            ("title",),
                        ),
                        qb.Where(conditions=(qb.Condition("code", "startsWith", "C0"),)),
                        (qb.Order("title", "DESC"),),
                        1,
                        3,
                        total=True,
                    ),
                ),
            ),
            limit=50,
        ),
    ),
)
