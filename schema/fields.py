"""What every generated field of ``schema/entities.py`` calls: the few shapes a field takes.

A bilingual text with ``lang``, a plain property, a count, a to-one link, a list
of related entities as a connection with ``where``/``sort``/``first``/``after``,
its aggregate, a root list and its grouped counts. The GraphQL types themselves
are generated from :mod:`graph.domain` (``python -m schema.codegen``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
    get_argument_values,
    get_named_type,
)
from graphql.execution.values import VariableValues
from strawberry.types import Info

from graph import compile as cc
from graph import query_builder as qb
from graph.groups import GroupedCounts, Outcome, Rows, counts_of
from graph.model import label_of
from schema.compiled import LOOKUPS, Bridge, Decline, Lookup, variables_key
from schema.connection import Connection, build_connection, decode_cursor
from schema.context import Props
from schema.document_cache import CONTEXT_KEY, PreparedDocument
from schema.errors import UserInputError
from schema.filters import to_sort, to_where
from schema.lang import Lang
from schema.node import Node, ctx, text, wrap

N = TypeVar("N", bound=Node)

LangArg = Annotated[
    Lang | None,
    strawberry.argument(
        description="Language of the answer; default: the request's Accept-Language, else English. "
        "A text missing in one language is given in the other."
    ),
]
FirstArg = Annotated[
    int | None,
    strawberry.argument(description="How many items (default 20, at most 500 unless configured)."),
]
AfterArg = Annotated[
    str | None, strawberry.argument(description="Start after this cursor (from `pageInfo`).")
]

__all__ = [
    "AfterArg",
    "Aggregate",
    "EarlyGroups",
    "FirstArg",
    "GroupCount",
    "LangArg",
    "count",
    "fetch_first",
    "fetch_node",
    "grouped",
    "page_bounds",
    "plain",
    "related_aggregate",
    "related_list",
    "related_one",
    "related_page",
    "root_aggregate",
    "root_count",
    "root_page",
    "text",
]


def page_bounds(info: Info, first: int | None, after: str | None) -> tuple[int, int]:
    """``(offset, limit)`` for ``first``/``after``, checked against the limits."""
    settings = ctx(info).settings
    if first is None:
        first = settings.default_page_size
    if first < 0:
        raise UserInputError(f"'first' must be 0 or more, not {first}")
    if first > settings.max_page_size:
        raise UserInputError(
            f"'first' may be at most {settings.max_page_size}, not {first}; page with 'after'"
        )
    return decode_cursor(after), first


def plain(root: Node, name: str) -> Any:
    """A plain property of ``root`` (``None`` when absent)."""
    return root.props.get(name)


_ABSENT = object()


def prefetched(root: Node, info: Info) -> Any:
    """What the request's compiled statement already fetched for this field, else ``_ABSENT``."""
    return root.props.get(f"{cc.PREFIX}{info.path.key}", _ABSENT)


async def count(root: Node, info: Info, label: str, link: str) -> int:
    """How many nodes ``root`` reaches through the to-many ``link``."""
    found = prefetched(root, info)
    if found is not _ABSENT:
        return int(found)
    return await ctx(info).count_related(label, root.props["id"], link)


async def related_one(root: Node, info: Info, cls: type[N], label: str, link: str) -> N | None:
    """The node ``root`` reaches through the to-one ``link``, as ``cls``."""
    found = prefetched(root, info)
    if found is _ABSENT:
        found = await ctx(info).related_one(label, root.props["id"], link)
    else:
        found = cc.first_of(found, cls.__name__)
    return cls(props=found) if found is not None else None


async def related_list(root: Node, info: Info, cls: type[N], label: str, link: str) -> list[N]:
    """A short to-many link as a plain list, in the target's default order."""
    found = prefetched(root, info)
    if found is _ABSENT:
        context = ctx(info)
        found = await context.related(label, root.props["id"], link, lang=context.lang)
    return [cls(props=props) for props in found]


async def related_page(
    root: Node,
    info: Info,
    cls: type[N],
    label: str,
    link: str,
    where: Any,
    sort: list[Any] | None,
    first: int | None,
    after: str | None,
) -> Connection[N]:
    """A to-many link as a connection, with filter, sort and pages."""
    context = ctx(info)
    target = cls.__name__
    offset, limit = page_bounds(info, first, after)
    early = prefetched(root, info)
    if early is not _ABSENT:
        if early and isinstance(early[0], int):  # [total, items]
            items = [cls(props=props) for props in early[1]]
            total = early[0]
            return build_connection(items, offset, total, offset + len(items) < total)
        items = [cls(props=props) for props in early]  # no total asked: none shown
        return build_connection(items, offset, offset + len(items), False)
    found = await context.related(
        label, root.props["id"], link, to_where(target, where), to_sort(target, sort), context.lang
    )
    items = [cls(props=props) for props in found[offset : offset + limit]]
    return build_connection(items, offset, len(found), offset + limit < len(found))


@strawberry.type(description="Counts over a list, with the same `where` as the list.")
class Aggregate:
    count: int = strawberry.field(description="How many entities match.")


async def related_aggregate(
    root: Node, info: Info, label: str, link: str, target: str, where: Any
) -> Aggregate:
    """``<link>Aggregate(where) { count }`` beside a to-many link."""
    early = prefetched(root, info)
    if early is not _ABSENT:
        return Aggregate(count=int(early))
    found = await ctx(info).count_related(label, root.props["id"], link, to_where(target, where))
    return Aggregate(count=found)


async def root_page(
    info: Info,
    cls: type[N],
    where: Any,
    sort: list[Any] | None,
    first: int | None,
    after: str | None,
) -> Connection[N]:
    """Every entity of a label, filtered, sorted and paged, as a connection (one statement)."""
    context = ctx(info)
    label = cls.__name__
    offset, limit = page_bounds(info, first, after)
    condition, order = to_where(label, where), to_sort(label, sort)
    compiled = _compiled_page(info, label, condition, order, offset, limit)
    if compiled is not None:
        built, total_asked = compiled
        rows = await context.store.read(built.statement, **built.params)
        if total_asked:
            total, found = cc.page_answer(rows)
            items = [cls(props=props) for props in found]
            return build_connection(items, offset, total, offset + len(items) < total)
        items = [cls(props=row["node"]) for row in rows]
        return build_connection(items, offset, offset + len(items), False)
    built = qb.page_of(label, condition, order, context.lang.code)
    rows = await context.store.read(built.statement, skip=offset, limit=limit, **built.params)
    total = rows[0]["total"] if rows else 0
    items = [cls(props=props) for props in (rows[0]["nodes"] if rows else [])]
    return build_connection(items, offset, total, offset + len(items) < total)


def _cached(info: Info, key: tuple[Any, ...], make: Any) -> Any:
    """``make()``, kept with the request's prepared document when there is one.

    The document is parsed and validated once per text (:mod:`schema.document_cache`);
    what a root field compiles to depends only on it, the variables and the language,
    so the compiled statement is kept beside it, a few per document.
    """
    context: Any = info.context
    prepared = context.get(CONTEXT_KEY) if isinstance(context, dict) else None
    if not isinstance(prepared, PreparedDocument):
        return make()
    operation = info._raw_info.operation.name
    path = tuple(info.path.as_list())
    full = (operation.value if operation else None, path, variables_key(info), *key)
    found = prepared.compiled.get(full, _ABSENT)
    if found is _ABSENT:
        found = make()
        if len(prepared.compiled) < MAX_COMPILED_PER_DOCUMENT:
            prepared.compiled[full] = found
    return found


#: compiled statements kept per document (variables and languages vary)
MAX_COMPILED_PER_DOCUMENT = 32


def _compiled_page(
    info: Info,
    label: str,
    where: qb.Where,
    sort: tuple[qb.Order, ...],
    offset: int,
    limit: int,
) -> tuple[qb.Built, bool] | None:
    """The one statement that answers a root list and what is under it, if it compiles."""
    context = ctx(info)
    lang = context.lang.code

    def make() -> tuple[qb.Built, bool] | None:
        bridge = Bridge.of(info, context.settings, lang)
        try:
            found = bridge.page(label, info.selected_fields[0].selections)
            built = cc.page(label, found.node, where, sort, lang, offset, limit, found.total)
        except (Decline, UserInputError, qb.QueryError, ValueError, TypeError):
            return None
        return built, found.total

    result: tuple[qb.Built, bool] | None = _cached(info, ("page", label, lang), make)
    return result


async def fetch_node(info: Info, node_id: str) -> Props | None:
    """The node with this id and, compiled into the same statement, what is asked under it.

    Lookups of the same label and selection in one request are batched (``nodes(ids)``).
    """
    context = ctx(info)
    label = label_of(node_id)
    if label is None:
        return None
    lang = context.lang.code

    def make() -> cc.Pick | None:
        try:
            return Bridge.of(info, context.settings, lang).pick(
                label, info.selected_fields[0].selections
            )
        except (Decline, UserInputError, qb.QueryError, ValueError, TypeError):
            return None

    pick: cc.Pick | None = _cached(info, ("node", label, lang), make)
    if pick is None:
        return await context.node(node_id)
    return await context.compiled_node(pick, lang, node_id)


#: what :func:`fetch_first` gives when the lookup does not compile
NOT_COMPILED: Any = object()


async def fetch_first(info: Info, value: str) -> Props | None:
    """What the root lookup ``info`` answers (``member(code)``, ``commitment(ogpId)``:
    :data:`schema.compiled.LOOKUPS`) finds with its argument ``value``, and what is asked
    under it, in one statement; :data:`NOT_COMPILED` when the selection does not compile."""
    context = ctx(info)
    lang = context.lang.code
    name = info.field_name
    _, compile_lookup = LOOKUPS[name]
    make_lookup: Callable[..., Lookup] = compile_lookup

    def make() -> Lookup | None:
        try:
            bridge = Bridge.of(info, context.settings, lang)
            return make_lookup(bridge, value, info.selected_fields[0].selections)
        except (Decline, UserInputError, qb.QueryError, ValueError, TypeError):
            return None

    lookup: Lookup | None = _cached(info, (name, lang), make)
    if lookup is None:
        return NOT_COMPILED
    rows = await context.store.read(lookup.built.statement, **lookup.built.params)
    found: Props | None = rows[0]["node"] if rows else None
    return found


async def root_count(info: Info, label: str, where: Any) -> tuple[int, qb.Where]:
    """How many entities of ``label`` pass ``where``, and the filter (for their groups)."""
    condition = to_where(label, where)
    return await _count(info, label, condition), condition


async def _count(info: Info, label: str, condition: qb.Where) -> int:
    built = qb.count_of(label, condition)
    rows = await ctx(info).store.read(built.statement, **built.params)
    return int(rows[0]["total"]) if rows else 0


def count_from(count_asked: bool, groupings: Sequence[GroupedCounts]) -> GroupedCounts | None:
    """The grouping of a root aggregate whose statements also give its ``count``: the one
    ``groupedBy`` asked beside ``count``, when it is split (two statements instead of three,
    :meth:`graph.groups.GroupedCounts.read_with_count`). None otherwise: the count is a
    statement of its own. Both paths (this module's resolvers and :mod:`schema.direct`)
    follow this rule, so they send the same statements."""
    if count_asked and len(groupings) == 1 and groupings[0].split is not None:
        return groupings[0]
    return None


@dataclass(frozen=True)
class EarlyGroups:
    """The rows of a root aggregate's one ``groupedBy`` (its ``by`` and language code),
    read with the aggregate's count; or the exception that stopped them."""

    by: tuple[str, ...]
    lang: str
    rows: Outcome[Rows]


@dataclass(frozen=True)
class _AggregatePlan:
    """What a root aggregate's selection needs: its count (False only when ``count`` is
    surely not selected), and the one ``groupedBy`` read with it (see :func:`count_from`)."""

    count_asked: bool
    together: tuple[tuple[str, ...], str, GroupedCounts] | None = None


async def root_aggregate(
    info: Info, label: str, where: Any
) -> tuple[int, qb.Where, EarlyGroups | None]:
    """A root aggregate's count, its filter (for its groups) and, when :func:`count_from`
    reads the count with the one ``groupedBy`` asked, that grouping's rows. A count that is
    not selected is not read (0 stands for it: nothing shows it)."""
    context = ctx(info)
    condition = to_where(label, where)
    lang = context.lang
    plan: _AggregatePlan = _cached(
        info, ("aggregate", label, lang.code), lambda: _aggregate_plan(info, label, condition, lang)
    )
    if plan.together is None:
        total = await _count(info, label, condition) if plan.count_asked else 0
        return total, condition, None
    by, code, counts = plan.together
    found, rows = await counts.read_with_count(context.store)
    if isinstance(found, BaseException):
        raise found
    return found, condition, EarlyGroups(by, code, rows)


def _aggregate_plan(info: Info, label: str, where: qb.Where, lang: Lang) -> _AggregatePlan:
    """Whether ``count`` is selected under this root aggregate and the one ``groupedBy``
    read with it when :func:`count_from` allows. A selection with directives counts as
    asking for the count, read apart (the direct path leaves it to this one)."""
    unsure = _AggregatePlan(count_asked=True)
    raw = info._raw_info
    runtime = get_named_type(raw.return_type)
    if not isinstance(runtime, GraphQLObjectType):
        return unsure
    nodes = _fields_under(raw.field_nodes, raw.fragments)
    if nodes is None:
        return unsure
    grouped_nodes = [node for node in nodes if node.name.value == "groupedBy"]
    count_asked = any(node.name.value == "count" for node in nodes)
    if not count_asked or len(grouped_nodes) != 1:
        return _AggregatePlan(count_asked)
    variables: Any = raw.variable_values
    if not isinstance(variables, VariableValues):  # strawberry may hand the coerced values
        variables = VariableValues({}, variables or {})
    try:
        args = get_argument_values(runtime.fields["groupedBy"], grouped_nodes[0], variables)
    except GraphQLError:
        return unsure
    together = grouping_of(label, args, where, lang)
    if together is None or count_from(count_asked, [together[2]]) is None:
        return unsure
    return _AggregatePlan(count_asked, together)


def grouping_of(
    label: str, args: dict[str, Any], where: qb.Where, default: Lang
) -> tuple[tuple[str, ...], str, GroupedCounts] | None:
    """One ``groupedBy`` from its coerced arguments, as :func:`grouped` reads it: its
    grouping names, its language code and how its counts are read; None for arguments it
    does not read (the resolver then gives the user its error)."""
    lang = args.get("lang") or default
    if not isinstance(lang, Lang):
        return None
    by = tuple(b.name if isinstance(b, Enum) else str(b) for b in args.get("by") or ())
    try:
        return by, lang.code, counts_of(label, by, where, lang.code)
    except (qb.QueryError, ValueError, TypeError):
        return None


def _fields_under(
    field_nodes: Sequence[FieldNode], fragments: dict[str, FragmentDefinitionNode]
) -> list[FieldNode] | None:
    """The fields selected under ``field_nodes`` (of one object type, so every fragment of
    a valid document applies), fragments flattened; None where a directive is met."""
    found: list[FieldNode] = []

    def walk(selection_set: SelectionSetNode | None) -> bool:
        for item in selection_set.selections if selection_set else ():
            if item.directives:
                return False
            if isinstance(item, FieldNode):
                found.append(item)
            elif isinstance(item, InlineFragmentNode):
                if not walk(item.selection_set):
                    return False
            elif isinstance(item, FragmentSpreadNode):
                fragment = fragments.get(item.name.value)
                if fragment is None or fragment.directives or not walk(fragment.selection_set):
                    return False
        return True

    return found if all(walk(node.selection_set) for node in field_nodes) else None


@strawberry.type(description="How many entities fall in one group (one value per grouping asked).")
class GroupCount:
    keys: list[str | None] = strawberry.field(
        description="The group, one key per grouping: an id, a code or a value."
    )
    labels: list[str | None] = strawberry.field(
        description="A readable name of each key, where it has one."
    )
    count: int = strawberry.field(description="How many entities are in the group.")
    entity_ids: strawberry.Private[list[str | None]]

    @strawberry.field(description="The entity of each key, where the key is one (else null).")
    async def entities(self, info: Info) -> list[Node | None]:
        context = ctx(info)
        found = await asyncio.gather(*(context.node(i) for i in self.entity_ids if i))
        by_id = {props["id"]: props for props in found if props}
        return [wrap(by_id.get(i)) if i else None for i in self.entity_ids]


async def grouped(
    info: Info,
    label: str,
    by: list[str],
    where: qb.Where,
    lang: Lang | None,
    early: EarlyGroups | None = None,
) -> list[GroupCount]:
    """Counts of ``label`` per group of ``by`` (grouping names), largest first; ``early``:
    the rows the root aggregate already read with its count (:func:`root_aggregate`)."""
    context = ctx(info)
    code = context.lang_for(lang).code
    if early is not None and early.by == tuple(by) and early.lang == code:
        if isinstance(early.rows, BaseException):
            raise early.rows
        rows = early.rows
    else:
        rows = await counts_of(label, tuple(by), where, code).read(context.store)
    return [
        GroupCount(
            keys=row["keys"], labels=row["labels"], count=row["total"], entity_ids=row["entities"]
        )
        for row in rows
    ]
