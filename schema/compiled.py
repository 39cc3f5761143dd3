"""From a root field's GraphQL selection to the compiler's :class:`graph.compile.Pick`.

A root field (a root list, a lookup by id) reads what the request asks under it
(``info.selected_fields``: aliases, fragments, arguments with the variables put
in) and asks :mod:`graph.compile` for one statement that answers all of it. The
nodes come back holding, under ``__<response key>``, the answer of each related
field, which the field resolvers of :mod:`schema.fields` take instead of asking
the store again.

Whatever this module does not understand (an unknown field, an argument it
cannot read, two uses of one response key with different arguments) it leaves
out: that field, or that whole node, is then resolved as before, by the
per-field loaders, which also give the user the usual errors. So the answers are
the same with or without it; only the number of statements changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from graphql import GraphQLSchema
from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection
from strawberry.utils.str_converters import to_camel_case

from graph import compile as cc
from graph import query_builder as qb
from graph.domain import ENTITIES, LINKS_OF, Kind, Link
from graph.fields import FIELDS, LINKS
from graph.normalize import fold
from schema.codegen import snake
from schema.connection import decode_cursor
from schema.errors import UserInputError
from schema.settings import ApiSettings

PREFIX = cc.PREFIX


class Decline(Exception):
    """The compiler leaves this part of the request to the field resolvers."""


@dataclass(frozen=True)
class Use:
    """What a GraphQL field of an entity type reads: stored properties, a count or a link."""

    props: tuple[str, ...] = ()
    count: str | None = None
    link: Link | None = None
    aggregate: bool = False
    #: ``previous``/``next`` of a plan (:class:`graph.compile.Neighbour`)
    neighbour: str | None = None
    #: a text held in both languages (``props`` is both): the stored name without ``_en``
    text: str | None = None

    @property
    def related(self) -> bool:
        """True when the field's answer is fetched under the node (``__<key>``)."""
        return self.count is not None or self.link is not None or self.neighbour is not None


#: fields every entity has, and hand-written fields that read only the node's id
_COMMON = {
    "id": Use(("id",)),
    "sources": Use(("sources",)),
    "loadedAt": Use(("loadedAt",)),
    "__typename": Use(),
}
_ID_ONLY = {"Plan": ("progress", "progressByPeriod")}
#: label -> hand-written fields that are a neighbouring node of the same label
_NEIGHBOURS = {"Plan": tuple(cc.NEIGHBOUR_SIDES)}


def _uses(label: str) -> dict[str, Use]:
    entity = next(e for e in ENTITIES if e.label == label)
    found = dict(_COMMON)
    for name, prop in entity.props.items():
        field_name = to_camel_case(snake(name))
        if prop.kind in (Kind.BILINGUAL, Kind.URL):
            found[field_name] = Use((f"{name}_en", f"{name}_fr"), text=name)
        elif prop.kind is Kind.COUNT:
            found[field_name] = Use(count=prop.ref)
        else:
            found[field_name] = Use((name,))
    for link in LINKS_OF[label]:
        found[link.name] = Use(link=link)
        if link.style == "connection":
            found[f"{link.name}Aggregate"] = Use(link=link, aggregate=True)
    for name in _ID_ONLY.get(label, ()):
        found[name] = Use()
    for name in _NEIGHBOURS.get(label, ()):
        found[name] = Use(neighbour=name)
    return found


#: label -> GraphQL field name -> what it reads
USES: dict[str, dict[str, Use]] = {entity.label: _uses(entity.label) for entity in ENTITIES}


@dataclass(frozen=True)
class Page:
    """What a connection field asks: its nodes, and whether its total is shown."""

    node: cc.Pick
    total: bool


class Bridge:
    """Reads the selection under one root field into picks, with the request's settings."""

    def __init__(self, schema: GraphQLSchema, settings: ApiSettings, lang: str) -> None:
        self.schema = schema
        self.settings = settings
        self.lang = lang

    @classmethod
    def of(cls, info: Info, settings: ApiSettings, lang: str) -> Bridge:
        """The bridge for the request ``info`` belongs to."""
        return cls(info._raw_info.schema, settings, lang)

    # --- selections ---------------------------------------------------------

    def _applies(self, condition: str | None, label: str) -> bool:
        if condition is None or condition == label:
            return True
        abstract, concrete = self.schema.get_type(condition), self.schema.get_type(label)
        if abstract is None or concrete is None or abstract is concrete:
            return abstract is concrete
        try:
            return self.schema.is_sub_type(abstract, concrete)  # type: ignore[arg-type]
        except (TypeError, AttributeError):
            return False

    def _fields(
        self, selections: Iterable[Selection], label: str | None
    ) -> dict[str, list[SelectedField]]:
        """Fields by response key, fragments that apply to ``label`` flattened in."""
        found: dict[str, list[SelectedField]] = {}
        for item in selections:
            if isinstance(item, SelectedField):
                found.setdefault(item.alias or item.name, []).append(item)
            elif isinstance(item, (InlineFragment, FragmentSpread)) and (
                label is None or self._applies(item.type_condition, label)
            ):
                for key, more in self._fields(item.selections, label).items():
                    found.setdefault(key, []).extend(more)
        return found

    def pick(self, label: str, selections: Iterable[Selection], nested: bool = False) -> cc.Pick:
        """What to fetch of a node of ``label`` for these selections (``Decline`` if unsure).

        A ``nested`` node (reached through a link) goes without its ``id`` unless asked for
        it or unless one of its fields is left to a resolver, which finds it by that id.
        """
        uses = USES[label]
        props: dict[str, None] = {}
        texts: dict[str, None] = {}
        related: list[cc.Related] = []
        complete = True
        for key, group in self._fields(selections, label).items():
            use = uses.get(group[0].name)
            if use is None:
                raise Decline(f"{label}.{group[0].name}")
            if use.text is not None and all(g.arguments.get("lang") is None for g in group):
                texts[use.text] = None  # shown in the request's language: that one only
            else:
                props.update(dict.fromkeys(use.props))
            if use.count is not None:
                related.append(cc.Count(key, use.count))
            elif use.neighbour is not None:
                inner = [s for g in group for s in g.selections]
                try:
                    related.append(
                        cc.Neighbour(key, use.neighbour, self.pick(label, inner, nested=True))
                    )
                except Decline:
                    complete = False  # that field alone falls back to its resolver
            elif use.link is not None:
                if any(g.arguments != group[0].arguments for g in group):
                    complete = False  # one key, different arguments: the resolvers sort it out
                    continue
                try:
                    related.append(self._related(key, use, group))
                except (Decline, UserInputError, qb.QueryError, ValueError, TypeError):
                    complete = False  # that field alone falls back to its resolver
        keep_id = not (nested and complete)
        return cc.Pick(label, tuple(props), tuple(related), tuple(texts), keep_id)

    def _related(self, key: str, use: Use, group: list[SelectedField]) -> cc.Related:
        link = use.link
        assert link is not None
        args = group[0].arguments
        if use.aggregate:
            return cc.Count(key, link.name, self.where(link.target, args.get("where")))
        inner = [s for g in group for s in g.selections]
        if link.style == "one":
            return cc.One(key, link.name, self.pick(link.target, inner, nested=True))
        if link.style == "list":
            return cc.Many(key, link.name, self.pick(link.target, inner, nested=True))
        found = self.page(link.target, inner, nested=True)
        skip, limit = self.bounds(args.get("first"), args.get("after"))
        return cc.Many(
            key,
            link.name,
            found.node,
            self.where(link.target, args.get("where")),
            self.sort(link.target, args.get("sort")),
            skip,
            limit,
            found.total,
        )

    def page(self, label: str, selections: Iterable[Selection], nested: bool = False) -> Page:
        """The nodes of a connection (``edges { node }`` and ``nodes`` together), its total."""
        nodes: list[Selection] = []
        total = False
        for name, group in self._fields(selections, None).items():
            field_name = group[0].name
            if field_name in ("totalCount", "pageInfo"):
                total = True
            elif field_name == "nodes":
                nodes += [s for g in group for s in g.selections]
            elif field_name == "edges":
                for edge_key, edge_group in self._fields(
                    [s for g in group for s in g.selections], None
                ).items():
                    if edge_group[0].name == "node":
                        nodes += [s for g in edge_group for s in g.selections]
                    elif edge_group[0].name not in ("cursor", "__typename"):
                        raise Decline(f"edges.{edge_key}")
            elif field_name != "__typename":
                raise Decline(name)
        return Page(self.pick(label, nodes, nested), total)

    # --- arguments ------------------------------------------------------------

    def bounds(self, first: Any, after: Any) -> tuple[int, int]:
        """``(skip, limit)`` as :func:`schema.fields.page_bounds` gives them, or ``Decline``."""
        limit = self.settings.default_page_size if first is None else int(first)
        if limit < 0 or limit > self.settings.max_page_size:
            raise Decline("first")
        return decode_cursor(after), limit

    def where(self, label: str, value: Any) -> qb.Where:
        """The query builder's filter for a ``where`` value as the request spells it."""
        if value is None:
            return qb.EVERYTHING
        if not isinstance(value, dict):
            raise Decline("where")
        conditions: list[qb.Condition] = []
        related: list[qb.Related] = []
        all_of: tuple[qb.Where, ...] = ()
        any_of: tuple[qb.Where, ...] = ()
        negated: qb.Where | None = None
        for name, given in value.items():
            if given is None:
                continue
            if name == "AND":
                all_of = tuple(self.where(label, w) for w in _listed(given))
            elif name == "OR":
                any_of = tuple(self.where(label, w) for w in _listed(given))
            elif name == "NOT":
                negated = self.where(label, given)
            elif name in FIELDS[label]:
                if not isinstance(given, dict):
                    raise Decline(name)
                kind = FIELDS[label][name].kind
                for op, op_value in given.items():
                    if op_value is not None:
                        conditions.append(qb.Condition(name, op, _scalar(kind, op, op_value)))
            elif name in LINKS[label]:
                link = LINKS[label][name]
                if not isinstance(given, dict):
                    raise Decline(name)
                if link.many:
                    for quantifier in ("some", "none", "all"):
                        inner = given.get(quantifier)
                        if inner is not None:
                            related.append(
                                qb.Related(name, quantifier, self.where(link.target, inner))
                            )
                else:
                    related.append(qb.Related(name, "single", self.where(link.target, given)))
            else:
                raise Decline(name)
        return qb.Where(tuple(conditions), tuple(related), all_of, any_of, negated)

    def sort(self, label: str, value: Any) -> tuple[qb.Order, ...]:
        """The query builder's sort keys for a ``sort`` value as the request spells it."""
        orders = []
        for item in _listed(value) if value is not None else ():
            if not isinstance(item, dict):
                raise Decline("sort")
            chosen = [(k, v) for k, v in item.items() if v is not None]
            if len(chosen) != 1 or chosen[0][0] not in FIELDS[label]:
                raise Decline("sort")
            name, direction = chosen[0]
            orders.append(qb.Order(name, _enum(direction)))
        return tuple(orders)


@dataclass(frozen=True)
class Lookup:
    """A root lookup compiled: its one statement (one row, ``node``), and the pick of each
    label the found node may have (its id tells which)."""

    built: qb.Built
    picks: dict[str, cc.Pick]


def member_lookup(bridge: Bridge, code: str, selections: Iterable[Selection]) -> Lookup:
    """``member(code)``: the local government with this code, else the country."""
    key = code.strip().upper()
    chosen = list(selections)
    candidates = tuple(
        cc.Candidate(bridge.pick(label, chosen), f"{label}:{key}")
        for label in ("LocalGovernment", "Country")
    )
    return _lookup(bridge, candidates)


def commitment_lookup(bridge: Bridge, ogp_id: str, selections: Iterable[Selection]) -> Lookup:
    """``commitment(ogpId)``: the commitment with that id, else the first with that ``ogpId``."""
    pick = bridge.pick("Commitment", selections)
    node_id = f"Commitment:{ogp_id.strip().upper()}"
    return _lookup(bridge, cc.id_else(pick, node_id, "ogpId", fold(ogp_id)))


def department_lookup(bridge: Bridge, code: str, selections: Iterable[Selection]) -> Lookup:
    """``department(code)``: the department with that portal code, else the first with that
    abbreviation."""
    pick = bridge.pick("Department", selections)
    node_id = f"Department:{code.strip().lower()}"
    return _lookup(bridge, cc.id_else(pick, node_id, "abbreviation", fold(code)))


def _lookup(bridge: Bridge, candidates: tuple[cc.Candidate, ...]) -> Lookup:
    built = cc.first_found(candidates, bridge.lang)
    return Lookup(built, {c.pick.label: c.pick for c in candidates})


#: root field -> its argument and how it compiles (both paths share what it makes)
LOOKUPS = {
    "member": ("code", member_lookup),
    "commitment": ("ogpId", commitment_lookup),
    "department": ("code", department_lookup),
}


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _enum(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, str):
        return value
    raise Decline(repr(value))


def _scalar(kind: Kind, op: str, value: Any) -> Any:
    if op == "in":
        return [_scalar(kind, "eq", v) for v in _listed(value)]
    if isinstance(value, list):
        raise Decline(op)
    if kind in (Kind.INT, Kind.COUNT):
        if isinstance(value, bool):
            raise Decline(op)
        return int(value)
    if kind is Kind.BOOL:
        if not isinstance(value, bool):
            raise Decline(op)
        return value
    if kind is Kind.ENUM:
        return _enum(value)
    if isinstance(value, Enum) or not isinstance(value, str):
        raise Decline(op)
    return value


def variables_key(info: Info) -> str:
    """The request's variables as text, for the cache of compiled statements."""
    raw: Any = info._raw_info.variable_values
    return variables_text(getattr(raw, "coerced", raw))


def variables_text(values: Any) -> str:
    """Variables as text: the key under which compiled statements (and the direct path's
    plans) are kept, the same whichever path computes it."""
    if not values:  # most requests: no variables
        return "{}"
    return json.dumps(values, sort_keys=True, default=_jsonable)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return f"{type(value).__name__}.{value.name}"
    return repr(value)
