"""The direct path: a fully compiled query answered straight from its statements' records.

When every field of a query is one the compiler answers (root lists, lookups by id,
and under them stored properties, counts, links and connections that
:mod:`schema.compiled` puts into the statement), or a root aggregate (its count and
grouped counts, the resolvers' statements sent at once), the response is built here from
the records, field by field as the schema would serialise them, and graphql-core's
execution (a resolver call, an info object and a value completion per field) is
skipped. What a request needs is worked out once per document, operation,
variables and language and kept with the prepared document
(:class:`schema.document_cache.PreparedDocument`), so a repeated query only runs
its statements and walks their rows.

Anything this module is not sure to answer exactly as the schema would goes the
usual way: an operation that is not a query, introspection, directives, a field
the compiler leaves to the loaders, a document not validated yet, variables that
do not fit, a cost over the budget, an argument the schema refuses, a null in a
non-null field, a failing statement. The answers are therefore the same with the
direct path on or off (``ApiSettings.direct``; ``tests/test_direct.py`` checks it).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInt,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_argument_values,
    get_named_type,
    get_variable_values,
    is_non_null_type,
)
from graphql.execution.values import VariableValues
from neo4j.exceptions import DriverError, Neo4jError
from strawberry.types.nodes import SelectedField, convert_selections
from strawberry.utils.str_converters import to_camel_case

from graph import compile as cc
from graph import query_builder as qb
from graph import search as engine
from graph.domain import ENTITIES, ENUM_BY_NAME, Kind
from graph.errors import StoreError, StoreUnavailable
from graph.groups import GroupedCounts
from graph.model import ENTITY_LABELS, label_of
from graph.store import statement_log
from schema import cost, operations
from schema.codegen import snake
from schema.compiled import LOOKUPS, USES, Bridge, Decline, variables_text
from schema.connection import encode_cursor
from schema.context import Context, Props
from schema.document_cache import PreparedDocument
from schema.errors import UserInputError
from schema.extensions import public_message
from schema.fields import MAX_COMPILED_PER_DOCUMENT, count_from, grouping_of
from schema.lang import Lang, picker
from schema.search import search_scope
from schema.settings import ApiSettings

log = logging.getLogger("ogp_graph.direct")

#: plans kept per operation of a document (variables and languages vary)
MAX_PLANS_PER_OPERATION = 32

_ABSENT = object()


class Fallback(Exception):
    """This request (or this part of it) is answered the usual way."""


class _Again(Exception):
    """A statement failed where the usual path would tell it at another place: this
    request only is answered the usual way (the plan is kept)."""


Render = Callable[[Props], Any]


# --- what each field of an entity type shows ---------------------------------------------


@dataclass(frozen=True)
class _Prop:
    """A stored property as a generated field shows it (see ``schema/codegen.py``)."""

    name: str
    kind: Kind
    enum_values: frozenset[str] = frozenset()


def _props_by_field() -> dict[str, dict[str, _Prop]]:
    found: dict[str, dict[str, _Prop]] = {}
    for entity in ENTITIES:
        fields: dict[str, _Prop] = {}
        for name, prop in entity.props.items():
            if prop.kind is Kind.COUNT:
                continue
            values: frozenset[str] = frozenset()
            if prop.kind in (Kind.ENUM, Kind.ENUM_LIST) and prop.ref in ENUM_BY_NAME:
                values = frozenset(ENUM_BY_NAME[prop.ref].values)
            fields[to_camel_case(snake(name))] = _Prop(name, prop.kind, values)
        found[entity.label] = fields
    return found


#: label -> GraphQL field name -> the stored property it shows
PROPS: dict[str, dict[str, _Prop]] = _props_by_field()


def _serialize(type_: GraphQLOutputType) -> Callable[[Any], Any]:
    """The schema's serialisation of a leaf value (``str`` passes as is for text)."""
    named = get_named_type(type_)
    if named is GraphQLString or named.name == "ID":
        return lambda v: v if type(v) is str else GraphQLString.serialize(v)
    if named is GraphQLInt:
        return lambda v: v if type(v) is int and -(2**31) <= v < 2**31 else GraphQLInt.serialize(v)
    if named is GraphQLBoolean:
        return lambda v: v if type(v) is bool else GraphQLBoolean.serialize(v)
    if isinstance(named, GraphQLScalarType):
        return named.serialize
    raise Fallback(f"no serialisation for {named}")


def _nonnull(render: Render, type_: GraphQLOutputType) -> Render:
    """A field whose type forbids null: a null falls back (the schema gives the error)."""
    if not is_non_null_type(type_):
        return render

    def checked(props: Props) -> Any:
        value = render(props)
        if value is None:
            raise Fallback("null in a non-null field")
        return value

    return checked


# --- the plan of one operation -------------------------------------------------------------


@dataclass
class _Root:
    """One root field: how to fetch its value, and how to show it."""

    key: str
    fetch: Callable[[Context], Any]
    #: the field as asked (where an error points), and whether its type allows null
    node: FieldNode | None = None
    nullable: bool = True


@dataclass
class Plan:
    """What a query needs: its root fields in order, and its cost estimate."""

    roots: list[_Root]
    cost: int
    #: the records once held what the schema refuses (a null in a non-null field...): from
    #: then on the usual path answers, and gives the error
    declined: bool = False


@dataclass
class _Operation:
    """The direct path's memory for one operation of a prepared document."""

    plans: dict[tuple[str, str], Plan | None] = field(default_factory=dict)


@dataclass
class _HitFields:
    """What a search's statement fetches of its hits: each label's pick (their union, when
    several selections show the entity), or every property (``whole``)."""

    picks: dict[str, cc.Pick] = field(default_factory=dict)
    whole: bool = False

    def add(self, pick: cc.Pick) -> None:
        held = self.picks.get(pick.label)
        if held is None:
            self.picks[pick.label] = pick
            return
        self.picks[pick.label] = cc.Pick(
            pick.label,
            tuple(dict.fromkeys(held.props + pick.props)),
            texts=tuple(dict.fromkeys(held.texts + pick.texts)),
        )


class _Builder:
    """Builds the renderers of one operation, with its variables and language."""

    def __init__(
        self,
        schema: GraphQLSchema,
        settings: ApiSettings,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
        lang: Lang,
        prepared: PreparedDocument,
        operation_name: str | None,
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.fragments = fragments
        self.variables = variables
        self.lang = lang
        self.bridge = Bridge(schema, settings, lang.code)
        # what strawberry's selections read: the coerced variables, the fragments
        self.info = SimpleNamespace(variable_values=variables.coerced, fragments=fragments)
        self.prepared = prepared
        self.operation_name = operation_name
        self.variables_key = variables_text(variables.coerced)

    def _shared(self, key: str, tail: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """``make()``, shared with the usual path's compiled statements (``schema/fields.py``
        keeps them with the document under the same key), so neither compiles it again."""
        full = (self.operation_name, (key,), self.variables_key, *tail)
        found = self.prepared.compiled.get(full, _ABSENT)
        if found is _ABSENT:
            found = make()
            if len(self.prepared.compiled) < MAX_COMPILED_PER_DOCUMENT:
                self.prepared.compiled[full] = found
        return found

    # --- selections ----------------------------------------------------------------

    def _applies(self, condition: str | None, runtime: GraphQLObjectType) -> bool:
        if condition is None or condition == runtime.name:
            return True
        abstract = self.schema.get_type(condition)
        if abstract is None or isinstance(abstract, GraphQLObjectType):
            return False
        return self.schema.is_sub_type(abstract, runtime)  # type: ignore[arg-type]

    def collect(
        self, sets: Iterable[SelectionSetNode | None], runtime: GraphQLObjectType
    ) -> dict[str, list[FieldNode]]:
        """Fields by response key, in order, fragments that apply to ``runtime`` flattened."""
        found: dict[str, list[FieldNode]] = {}

        def walk(selection_set: SelectionSetNode | None) -> None:
            for item in selection_set.selections if selection_set else ():
                if item.directives:
                    raise Fallback("directives")
                if isinstance(item, FieldNode):
                    key = item.alias.value if item.alias else item.name.value
                    found.setdefault(key, []).append(item)
                elif isinstance(item, InlineFragmentNode):
                    condition = item.type_condition.name.value if item.type_condition else None
                    if self._applies(condition, runtime):
                        walk(item.selection_set)
                elif isinstance(item, FragmentSpreadNode):
                    fragment = self.fragments.get(item.name.value)
                    if fragment is None:
                        raise Fallback("unknown fragment")
                    if self._applies(fragment.type_condition.name.value, runtime):
                        walk(fragment.selection_set)

        for selection_set in sets:
            walk(selection_set)
        return found

    def _object_type(self, type_: GraphQLOutputType) -> GraphQLObjectType:
        named = get_named_type(type_)
        if not isinstance(named, GraphQLObjectType):
            raise Fallback(f"{named} is not an object type")
        return named

    def _args(self, parent: GraphQLObjectType, node: FieldNode) -> dict[str, Any]:
        try:
            return get_argument_values(parent.fields[node.name.value], node, self.variables)
        except GraphQLError as error:
            raise Fallback(error.message) from None

    # --- entities --------------------------------------------------------------------

    def entity(
        self, runtime: GraphQLObjectType, groups: dict[str, list[FieldNode]], chosen: cc.Pick
    ) -> Render:
        """How to show a node of ``runtime`` (an entity type) fetched as ``chosen``."""
        label = runtime.name
        if label not in USES or chosen.label != label:
            raise Fallback(f"{label} is not an entity")
        related = {r.key: r for r in chosen.related}
        fields: list[tuple[str, Render]] = []
        for key, nodes in groups.items():
            name = nodes[0].name.value
            if name == "__typename":
                fields.append((key, _constant(label)))
                continue
            definition = runtime.fields.get(name)
            if definition is None:
                raise Fallback(name)
            fields.append((key, self._entity_field(runtime, key, nodes, related)))
        return _object(fields)

    def _entity_field(
        self,
        runtime: GraphQLObjectType,
        key: str,
        nodes: list[FieldNode],
        related: dict[str, cc.Related],
    ) -> Render:
        label = runtime.name
        name = nodes[0].name.value
        type_ = runtime.fields[name].type
        use = USES[label].get(name)
        if use is None:
            raise Fallback(f"{label}.{name}")
        if name == "id":
            return _leaf("id", type_)
        if name == "sources":
            item = _serialize(type_)
            return lambda p: [_not_null(item(s)) for s in (p.get("sources") or [])]
        if name == "loadedAt":
            return _leaf("loadedAt", type_)
        if use.related:
            rel = related.get(key)
            if rel is None:
                raise Fallback(f"{label}.{name} is not compiled")
            return self._related(runtime, key, nodes, use, rel)
        prop = PROPS[label].get(name)
        if prop is None:
            raise Fallback(f"{label}.{name} is not a stored property")
        if prop.kind in (Kind.BILINGUAL, Kind.URL):
            lang = self._args(runtime, nodes[0]).get("lang") or self.lang
            if not isinstance(lang, Lang):
                raise Fallback("lang")
            return _nonnull(picker(prop.name, lang), type_)
        if prop.kind is Kind.ENUM:
            return _nonnull(_enum(prop.name, prop.enum_values, type_), type_)
        if prop.kind is Kind.ENUM_LIST:
            one = _enum_value(prop.enum_values)
            stored = prop.name

            def enum_list(p: Props) -> Any:
                values = p.get(stored)
                return [one(v) for v in values] if values is not None else None

            return _nonnull(enum_list, type_)
        return _leaf(prop.name, type_)

    def _related(
        self,
        runtime: GraphQLObjectType,
        key: str,
        nodes: list[FieldNode],
        use: Any,
        rel: cc.Related,
    ) -> Render:
        type_ = runtime.fields[nodes[0].name.value].type
        slot = f"{cc.PREFIX}{key}"
        if isinstance(rel, cc.Count):
            if use.aggregate:
                shown = self._object_type(type_)
                inner = self.collect((n.selection_set for n in nodes), shown)
                parts: list[tuple[str, Render]] = []
                for inner_key, inner_nodes in inner.items():
                    inner_name = inner_nodes[0].name.value
                    if inner_name == "__typename":
                        parts.append((inner_key, _constant(shown.name)))
                    elif inner_name == "count":
                        parts.append((inner_key, _count_of(slot)))
                    else:
                        raise Fallback(f"{shown.name}.{inner_name}")
                return _object(parts)
            return _count_of(slot)
        target = self._object_type(type_)
        sets = [n.selection_set for n in nodes]
        if isinstance(rel, cc.One):
            shown_first = self.entity(target, self.collect(sets, target), rel.node)
            label = rel.node.label

            def first(p: Props) -> Any:
                value = cc.first_of(_slot(p, slot), label)
                return shown_first(value) if value is not None else None

            return _nonnull(first, type_)
        if isinstance(rel, cc.Neighbour):
            shown_one = self.entity(target, self.collect(sets, target), rel.node)

            def one(p: Props) -> Any:
                value = _slot(p, slot)
                return shown_one(value) if value is not None else None

            return _nonnull(one, type_)
        if not isinstance(rel, cc.Many):
            raise Fallback("unknown related field")
        if use.link is not None and use.link.style == "list":
            shown_item = self.entity(target, self.collect(sets, target), rel.node)
            return lambda p: [shown_item(v) for v in _slot(p, slot)]
        connection = self.connection(target, sets, rel.node)
        offset = rel.skip

        def page(p: Props) -> Any:
            early = _slot(p, slot)
            if early and isinstance(early[0], int):  # [total, items]
                items, total = early[1], early[0]
                return connection(items, offset, total, offset + len(items) < total)
            return connection(early, offset, offset + len(early), False)

        return page

    # --- connections -----------------------------------------------------------------

    def connection(
        self,
        shown: GraphQLObjectType,
        sets: Iterable[SelectionSetNode | None],
        node_pick: cc.Pick | None,
        item: Callable[[GraphQLObjectType, list[FieldNode]], Render] | None = None,
    ) -> Callable[[list[Props], int, int, bool], Any]:
        """How to show a page of nodes as the connection type ``shown``: entities fetched as
        ``node_pick``, or what ``item`` makes of the node type and its selections."""

        def item_of(item_type: GraphQLObjectType, nodes: list[FieldNode]) -> Render:
            if item is not None:
                return item(item_type, nodes)
            assert node_pick is not None
            groups = self.collect((n.selection_set for n in nodes), item_type)
            return self.entity(item_type, groups, node_pick)

        parts: list[tuple[str, Callable[[list[Props], int, int, bool], Any]]] = []
        for key, nodes in self.collect(sets, shown).items():
            name = nodes[0].name.value
            if name == "__typename":
                parts.append((key, _page_constant(shown.name)))
            elif name == "totalCount":
                parts.append((key, lambda items, offset, total, more: total))
            elif name == "pageInfo":
                parts.append((key, self._page_info(shown, nodes)))
            elif name == "nodes":
                item_type = self._object_type(shown.fields["nodes"].type)
                parts.append((key, _nodes(item_of(item_type, nodes))))
            elif name == "edges":
                parts.append((key, self._edges(shown, nodes, item_of)))
            else:
                raise Fallback(f"{shown.name}.{name}")

        def render(items: list[Props], offset: int, total: int, more: bool) -> dict[str, Any]:
            return {key: part(items, offset, total, more) for key, part in parts}

        return render

    def _page_info(
        self, shown: GraphQLObjectType, nodes: list[FieldNode]
    ) -> Callable[[list[Props], int, int, bool], Any]:
        info_type = self._object_type(shown.fields["pageInfo"].type)
        fields: list[tuple[str, str]] = []
        for key, inner in self.collect((n.selection_set for n in nodes), info_type).items():
            fields.append((key, inner[0].name.value))

        typename = info_type.name
        values: dict[str, Callable[[list[Props], int, bool], Any]] = {
            "__typename": lambda items, offset, more: typename,
            "hasNextPage": lambda items, offset, more: more,
            "hasPreviousPage": lambda items, offset, more: offset > 0,
            "startCursor": lambda items, offset, more: encode_cursor(offset) if items else None,
            "endCursor": lambda items, offset, more: (
                encode_cursor(offset + len(items) - 1) if items else None
            ),
        }
        for _, name in fields:
            if name not in values:
                raise Fallback(f"PageInfo.{name}")
        # only what is asked: a cursor costs a base64 encoding, two per nested connection
        asked = [(key, values[name]) for key, name in fields]

        def render(items: list[Props], offset: int, total: int, more: bool) -> dict[str, Any]:
            return {key: value(items, offset, more) for key, value in asked}

        return render

    def _edges(
        self,
        shown: GraphQLObjectType,
        nodes: list[FieldNode],
        item_of: Callable[[GraphQLObjectType, list[FieldNode]], Render],
    ) -> Callable[[list[Props], int, int, bool], Any]:
        edge_type = self._object_type(shown.fields["edges"].type)
        parts: list[tuple[str, str, Render | None]] = []
        for key, inner in self.collect((n.selection_set for n in nodes), edge_type).items():
            name = inner[0].name.value
            if name == "node":
                item_type = self._object_type(edge_type.fields["node"].type)
                parts.append((key, name, item_of(item_type, inner)))
            elif name in ("cursor", "__typename"):
                parts.append((key, name, None))
            else:
                raise Fallback(f"{edge_type.name}.{name}")
        typename = edge_type.name

        def render(items: list[Props], offset: int, total: int, more: bool) -> list[Any]:
            edges = []
            for i, item in enumerate(items):
                edge: dict[str, Any] = {}
                for key, name, node in parts:
                    if node is not None:
                        edge[key] = node(item)
                    elif name == "cursor":
                        edge[key] = encode_cursor(offset + i)
                    else:
                        edge[key] = typename
                edges.append(edge)
            return edges

        return render

    # --- root fields -----------------------------------------------------------------

    def root(
        self, query: GraphQLObjectType, key: str, nodes: list[FieldNode], alone: bool = False
    ) -> _Root:
        """The fetch of one root field of the query and how its value is shown (``alone``:
        the operation's only root field, whose lookup has nothing to share a statement with)."""
        name = nodes[0].name.value
        if name == "__typename":
            return _Root(key, _fetched(query.name))
        if len(nodes) != 1:
            raise Fallback("a root key asked twice")
        node = nodes[0]
        definition = query.fields.get(name)
        if definition is None:
            raise Fallback(name)
        args = self._args(query, node)
        selections = self._selected(node).selections
        lang = self.lang.code
        if name in ("node", "plan", "country", "partnership"):
            if name == "country":
                node_id = f"Country:{str(args['code']).strip().upper()}"
            elif name == "partnership":
                node_id = "Partnership:OGP"
            else:
                node_id = str(args["id"])
            return _Root(
                key,
                self._lookup(
                    key,
                    node,
                    node_id,
                    selections,
                    only="Plan" if name == "plan" else None,
                    alone=alone,
                ),
                node,
                not is_non_null_type(definition.type),
            )
        if name in LOOKUPS:
            return _Root(
                key,
                self._first_found(key, node, name, args[LOOKUPS[name][0]], selections),
                node,
                not is_non_null_type(definition.type),
            )
        if name == "nodes":
            lookups = [self._lookup(key, node, str(i), selections) for i in args["ids"]]

            async def fetch_all(context: Context) -> Any:
                return list(await asyncio.gather(*(one(context) for one in lookups)))

            return _Root(key, fetch_all, node, not is_non_null_type(definition.type))
        if name.endswith("Aggregate"):
            return self._aggregate(query, key, node)
        if name == "search":
            return self._search(query, key, node, args)
        shown = get_named_type(definition.type)
        label = shown.name.removesuffix("Connection")
        if (
            not isinstance(shown, GraphQLObjectType)
            or not shown.name.endswith("Connection")
            or label not in USES
        ):
            raise Fallback(f"root field {name}")
        raw = self._selected(node).arguments
        try:
            offset, limit = self.bridge.bounds(raw.get("first"), raw.get("after"))
            where = self.bridge.where(label, raw.get("where"))
            sort = self.bridge.sort(label, raw.get("sort"))
            found = self.bridge.page(label, selections)
        except (Decline, UserInputError, qb.QueryError, ValueError, TypeError) as error:
            raise Fallback(str(error)) from None

        def make() -> tuple[qb.Built, bool] | None:
            try:
                built = cc.page(label, found.node, where, sort, lang, offset, limit, found.total)
            except (Decline, UserInputError, qb.QueryError, ValueError, TypeError):
                return None
            return built, found.total

        compiled = self._shared(key, ("page", label, lang), make)
        if compiled is None:
            raise Fallback(f"{name} does not compile")
        built, total_asked = compiled
        connection = self.connection(shown, [node.selection_set], found.node)

        async def fetch(context: Context) -> Any:
            rows = await context.store.read(built.statement, **built.params)
            if total_asked:
                total, items = cc.page_answer(rows)
                return connection(items, offset, total, offset + len(items) < total)
            items = [row["node"] for row in rows]
            return connection(items, offset, offset + len(items), False)

        return _Root(key, fetch, node, not is_non_null_type(definition.type))

    def _aggregate(self, query: GraphQLObjectType, key: str, node: FieldNode) -> _Root:
        """``<list>Aggregate(where) { count groupedBy(by, lang) { keys labels count } }``:
        the statements the resolvers send (``schema/fields.py``: the count if selected, then each
        grouping's, or the count read with the one split grouping: :func:`count_from`),
        sent at once."""
        definition = query.fields[node.name.value]
        listed = query.fields.get(node.name.value.removesuffix("Aggregate"))
        shown = get_named_type(definition.type)
        if listed is None or not isinstance(shown, GraphQLObjectType):
            raise Fallback(f"root field {node.name.value}")
        label = get_named_type(listed.type).name.removesuffix("Connection")
        if label not in USES:
            raise Fallback(f"root field {node.name.value}")
        try:
            where = self.bridge.where(label, self._selected(node).arguments.get("where"))
            count = qb.count_of(label, where)
        except (Decline, UserInputError, qb.QueryError, ValueError, TypeError) as error:
            raise Fallback(str(error)) from None
        parts: list[tuple[str, Callable[[list[Any]], Any]]] = []
        groupings: list[GroupedCounts] = []
        count_asked = False
        for inner_key, inner in self.collect([node.selection_set], shown).items():
            inner_name = inner[0].name.value
            if inner_name == "__typename":
                parts.append((inner_key, _page_part(shown.name)))
            elif inner_name == "count":
                count_asked = True
                parts.append((inner_key, _found_at(0)))
            elif inner_name == "groupedBy" and len(inner) == 1:
                index = len(groupings) + 1
                counts, show_groups = self._groups(shown, inner[0], label, where)
                groupings.append(counts)
                parts.append((inner_key, _found_at(index, show_groups)))
            else:
                raise Fallback(f"{shown.name}.{inner_name}")
        counted = count_from(count_asked, groupings)

        def shown_from(found: list[Any]) -> dict[str, Any]:
            return {part_key: part(found) for part_key, part in parts}

        async def fetch_counted(context: Context) -> Any:
            assert counted is not None
            total, rows = await counted.read_with_count(context.store)
            if isinstance(total, BaseException):
                raise total  # told at the root field, as the usual path tells it
            if isinstance(rows, StoreError):
                raise _Again(str(rows))  # the usual path tells it under groupedBy
            if isinstance(rows, BaseException):
                raise rows
            return shown_from([total, rows])

        async def fetch(context: Context) -> Any:
            reads = [one.read(context.store) for one in groupings]
            if count_asked:  # as the usual path, a count nobody selected is not read
                reads.insert(0, context.store.read(count.statement, **count.params))
            outcomes: list[Any] = await asyncio.gather(*reads, return_exceptions=True)
            for outcome in outcomes:
                if isinstance(outcome, asyncio.CancelledError):
                    raise outcome
            if not count_asked:
                outcomes.insert(0, [])
            if isinstance(outcomes[0], BaseException):
                raise outcomes[0]  # told at the root field, as the usual path tells it
            for outcome in outcomes[1:]:
                if isinstance(outcome, StoreError):
                    raise _Again(str(outcome))  # the usual path tells it under groupedBy
                if isinstance(outcome, BaseException):
                    raise outcome
            rows = outcomes[0]
            total = rows[0]["total"] if rows else 0
            return shown_from([total, *outcomes[1:]])

        nullable = not is_non_null_type(definition.type)
        return _Root(key, fetch if counted is None else fetch_counted, node, nullable)

    def _groups(
        self, shown: GraphQLObjectType, node: FieldNode, label: str, where: qb.Where
    ) -> tuple[GroupedCounts, Callable[[list[dict[str, Any]]], Any]]:
        """How one ``groupedBy`` is read (as :func:`schema.fields.grouped` reads it) and how
        its rows are shown."""
        found = grouping_of(label, self._args(shown, node), where, self.lang)
        if found is None:
            raise Fallback(f"{label} groupedBy arguments")
        counts = found[2]
        row_type = self._object_type(shown.fields["groupedBy"].type)
        text = _serialize(GraphQLString)
        fields: list[tuple[str, Callable[[dict[str, Any]], Any]]] = []
        for key, inner in self.collect([node.selection_set], row_type).items():
            name = inner[0].name.value
            if name == "__typename":
                fields.append((key, _constant(row_type.name)))
            elif name in ("keys", "labels"):
                fields.append((key, _texts(name, text)))
            elif name == "count":
                fields.append((key, _count_of("total")))
            else:
                raise Fallback(f"{row_type.name}.{name}")

        def show(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{key: part(row) for key, part in fields} for row in rows]

        return counts, show

    def _search(
        self, query: GraphQLObjectType, key: str, node: FieldNode, args: dict[str, Any]
    ) -> _Root:
        """``search``: the engine's page of hits (``schema/search.py`` asks it the same way),
        each shown as a ``SearchHit``; an entity field that needs more than the hit's
        properties (a related field) leaves the request to the usual path."""
        definition = query.fields[node.name.value]
        shown = self._object_type(definition.type)
        text = args.get("query")
        if not isinstance(text, str) or not engine.query_has_words(text):
            raise Fallback("search: no words")  # the usual path refuses it
        raw = self._selected(node).arguments
        try:
            offset, limit = self.bridge.bounds(raw.get("first"), raw.get("after"))
        except (Decline, UserInputError, ValueError, TypeError) as error:
            raise Fallback(str(error)) from None
        langs, labels, show = search_scope(args.get("lang"), args.get("types"), self.lang)
        wanted = _HitFields()
        connection = self.connection(
            shown,
            [node.selection_set],
            None,
            lambda hit_type, nodes: self._hit(hit_type, nodes, wanted),
        )
        picks = None if wanted.whole else wanted.picks
        lang = self.lang.code

        async def fetch(context: Context) -> Any:
            found = await engine.search(
                context.store, text, langs, labels, offset, limit, show, picks, lang
            )
            hits: list[Any] = list(found.hits)  # shown by _hit, not as entities
            return connection(hits, offset, found.total, offset + len(hits) < found.total)

        return _Root(key, fetch, node, not is_non_null_type(definition.type))

    def _hit(
        self, hit_type: GraphQLObjectType, nodes: list[FieldNode], wanted: _HitFields
    ) -> Render:
        """How to show one ``SearchHit`` (an :class:`graph.search.Hit`); ``wanted`` learns
        what the hits' statement must fetch for it."""
        parts: list[tuple[str, Render]] = []
        for key, inner in self.collect((n.selection_set for n in nodes), hit_type).items():
            name = inner[0].name.value
            if name == "__typename":
                parts.append((key, _constant(hit_type.name)))
            elif name == "score":
                parts.append((key, _attribute("score", _serialize(hit_type.fields[name].type))))
            elif name == "entity":
                parts.append((key, self._hit_entity(hit_type, inner, wanted)))
            elif name == "matches":
                wanted.whole = True  # highlights read every text of the entity
                parts.append((key, self._hit_matches(hit_type, inner)))
            else:
                raise Fallback(f"{hit_type.name}.{name}")
        return _object(parts)

    def _hit_entity(
        self, hit_type: GraphQLObjectType, nodes: list[FieldNode], wanted: _HitFields
    ) -> Render:
        """The hit's entity (an interface): shown as its own type, from its properties."""
        sets = [n.selection_set for n in nodes]
        selections = [s for n in nodes for s in self._selected(n).selections]
        by_label: dict[str, Render] = {}
        for label in ENTITY_LABELS:
            runtime = self.schema.get_type(label)
            if not isinstance(runtime, GraphQLObjectType):
                raise Fallback(label)
            groups = self.collect(sets, runtime)
            try:
                chosen = self.bridge.pick(label, selections)
            except (Decline, UserInputError, qb.QueryError, ValueError, TypeError) as error:
                raise Fallback(str(error)) from None
            if chosen.related:
                raise Fallback(f"search: {label} asks related fields")
            wanted.add(chosen)
            by_label[label] = self.entity(runtime, groups, chosen)

        def render(hit: Any) -> Any:
            node = hit.node
            shown = by_label.get(str(label_of(node["id"])))
            if shown is None:
                raise Fallback(f"search: no type for {node['id']}")
            return shown(node)

        return _nonnull(render, hit_type.fields["entity"].type)

    def _hit_matches(self, hit_type: GraphQLObjectType, nodes: list[FieldNode]) -> Render:
        match_type = self._object_type(hit_type.fields["matches"].type)
        parts: list[tuple[str, Callable[[Any], Any]]] = []
        for key, inner in self.collect((n.selection_set for n in nodes), match_type).items():
            name = inner[0].name.value
            if name == "__typename":
                parts.append((key, _constant(match_type.name)))
            elif name in ("field", "snippet"):
                parts.append((key, _attribute(name, _serialize(match_type.fields[name].type))))
            elif name == "lang":
                enum = get_named_type(match_type.fields[name].type)
                if not isinstance(enum, GraphQLEnumType):
                    raise Fallback(f"{match_type.name}.lang")
                parts.append((key, _attribute(name, _then(Lang, enum.serialize))))
            else:
                raise Fallback(f"{match_type.name}.{name}")

        def render(hit: Any) -> Any:
            return [{key: show(match) for key, show in parts} for match in hit.matches]

        return render

    def _selected(self, node: FieldNode) -> SelectedField:
        """The root field as strawberry's ``info.selected_fields[0]`` gives it to the bridge."""
        found = convert_selections(self.info, [node])[0]  # type: ignore[arg-type]
        assert isinstance(found, SelectedField)
        return found

    def _lookup(
        self,
        key: str,
        node: FieldNode,
        node_id: str,
        selections: Any,
        only: str | None = None,
        alone: bool = False,
    ) -> Callable[[Context], Any]:
        """Fetch and show the node with this id, as ``fetch_node`` and the root field do
        (``alone``: no other lookup of the request can share its statement)."""
        label = label_of(node_id)
        if label is None:
            return _fetched(None)
        runtime = self.schema.get_type(label)
        if not isinstance(runtime, GraphQLObjectType):
            raise Fallback(label)
        lang = self.lang.code

        def make() -> cc.Pick | None:
            try:
                return self.bridge.pick(label, selections)
            except (Decline, UserInputError, qb.QueryError, ValueError, TypeError):
                return None

        chosen = self._shared(key, ("node", label, lang), make)
        if chosen is None:
            raise Fallback(f"{label} does not compile")
        shown = self.entity(runtime, self.collect([node.selection_set], runtime), chosen)

        async def fetch(context: Context) -> Any:
            props = await context.compiled_node(chosen, lang, node_id, alone)
            if props is None or (only is not None and label != only):
                return None
            return shown(props)

        return fetch

    def _first_found(
        self, key: str, node: FieldNode, name: str, value: Any, selections: Any
    ) -> Callable[[Context], Any]:
        """Fetch and show what a lookup of :data:`schema.compiled.LOOKUPS` (``member(code)``...)
        finds, as ``schema.fields.fetch_first`` does (one statement, shared with it)."""
        _, compile_lookup = LOOKUPS[name]

        def make() -> Any:
            try:
                return compile_lookup(self.bridge, str(value), selections)
            except (Decline, UserInputError, qb.QueryError, ValueError, TypeError):
                return None

        lookup = self._shared(key, (name, self.lang.code), make)
        if lookup is None:
            raise Fallback(f"{name} does not compile")
        shown: dict[str, Render] = {}
        for label, chosen in lookup.picks.items():
            runtime = self.schema.get_type(label)
            if not isinstance(runtime, GraphQLObjectType):
                raise Fallback(label)
            shown[label] = self.entity(runtime, self.collect([node.selection_set], runtime), chosen)

        async def fetch(context: Context) -> Any:
            rows = await context.store.read(lookup.built.statement, **lookup.built.params)
            props = rows[0]["node"] if rows else None
            if props is None:
                return None
            return shown[str(label_of(props["id"]))](props)

        return fetch


# --- small renderers ----------------------------------------------------------------------


def _attribute(name: str, serialize: Callable[[Any], Any]) -> Render:
    def render(value: Any) -> Any:
        return serialize(getattr(value, name))

    return render


def _then(first: Callable[[Any], Any], second: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def both(value: Any) -> Any:
        return second(first(value))

    return both


def _constant(value: Any) -> Render:
    return lambda p: value


def _page_constant(value: Any) -> Callable[[list[Props], int, int, bool], Any]:
    return lambda items, offset, total, more: value


def _fetched(value: Any) -> Callable[[Context], Any]:
    async def fetch(context: Context) -> Any:
        return value

    return fetch


def _object(fields: list[tuple[str, Render]]) -> Render:
    def render(props: Props) -> dict[str, Any]:
        return {key: part(props) for key, part in fields}

    return render


def _nodes(node: Render) -> Callable[[list[Props], int, int, bool], Any]:
    return lambda items, offset, total, more: [node(item) for item in items]


def _leaf(name: str, type_: GraphQLOutputType) -> Render:
    """A stored scalar as the schema serialises it (a null in a non-null field falls back).

    Text and ids, most of a response, are read in one call per field; other scalars
    go through :func:`_serialize` and :func:`_nonnull`.
    """
    named = get_named_type(type_)
    if named is not GraphQLString and named.name != "ID":
        return _nonnull(_plain(name, _serialize(type_)), type_)
    serialize = GraphQLString.serialize
    if not is_non_null_type(type_):

        def text(props: Props) -> Any:
            value = props.get(name)
            return value if value is None or type(value) is str else serialize(value)

        return text

    def required_text(props: Props) -> Any:
        value = props.get(name)
        if type(value) is str:
            return value
        if value is None:
            raise Fallback("null in a non-null field")
        return serialize(value)

    return required_text


def _plain(name: str, serialize: Callable[[Any], Any]) -> Render:
    def render(props: Props) -> Any:
        value = props.get(name)
        return None if value is None else serialize(value)

    return render


def _slot(props: Props, slot: str) -> Any:
    value = props.get(slot, _ABSENT)
    if value is _ABSENT:
        raise Fallback(f"{slot} was not fetched")
    return value


def _count_of(slot: str) -> Render:
    def render(props: Props) -> Any:
        value = _slot(props, slot)
        return GraphQLInt.serialize(int(value))

    return render


def _page_part(value: Any) -> Callable[[list[Any]], Any]:
    return lambda found: value


def _found_at(index: int, show: Callable[[Any], Any] | None = None) -> Callable[[list[Any]], Any]:
    """The ``index``-th fetched value of an aggregate, shown by ``show`` if given."""
    if show is None:
        return lambda found: found[index]
    return lambda found: show(found[index])


def _texts(name: str, serialize: Callable[[Any], Any]) -> Render:
    """A non-null list of nullable texts (the keys or labels of a group)."""

    def render(props: Props) -> Any:
        values = props.get(name)
        if values is None:
            raise Fallback(f"null {name}")
        return [None if v is None else serialize(v) for v in values]

    return render


def _not_null(value: Any) -> Any:
    if value is None:
        raise Fallback("null item")
    return value


def _enum_value(values: frozenset[str]) -> Callable[[Any], Any]:
    def one(value: Any) -> Any:
        if value not in values:
            raise Fallback(f"{value!r} is not a value of its enum")
        return value

    return one


def _enum(name: str, values: frozenset[str], type_: GraphQLOutputType) -> Render:
    if not isinstance(get_named_type(type_), GraphQLEnumType):
        raise Fallback(f"{name} is not an enum")
    one = _enum_value(values)

    def render(props: Props) -> Any:
        value = props.get(name)
        return None if value is None else one(value)

    return render


# --- the path ------------------------------------------------------------------------------


#: introspection fields (``__typename`` is answered here; these are not)
_INTROSPECTION = re.compile(r"__(schema|type)\b")


def _eligible(operation: OperationDefinitionNode, prepared: PreparedDocument) -> bool:
    """A query without directives or introspection (checked once per operation)."""
    if operation.operation is not OperationType.QUERY:
        return False
    return "@" not in prepared.text and not _INTROSPECTION.search(prepared.text)


#: failures of the store or the driver: passing, so they decline this request only
_STORE_FAILURES = (StoreError, Neo4jError, DriverError, OSError, _Again)


class DirectPath:
    """Answers fully compiled queries from their records; ``None`` where it cannot."""

    def __init__(self, schema: GraphQLSchema, settings: ApiSettings) -> None:
        self.schema = schema
        self.settings = settings

    def plan(
        self,
        prepared: PreparedDocument,
        operation: OperationDefinitionNode,
        variables: dict[str, Any] | None,
        lang: Lang,
    ) -> Plan | None:
        """The plan of this operation with these variables, or ``None`` (the usual path)."""
        if prepared.validation_errors is None or prepared.validation_errors:
            return None  # validated by the usual path first (its errors are its to give)
        name = operation.name.value if operation.name else None
        if name not in prepared.direct:
            prepared.direct[name] = self._operation(prepared, operation)
        memory: _Operation | None = prepared.direct[name]
        if memory is None:
            return None
        key = (variables_text(variables or {}), lang.code)
        if key in memory.plans:
            kept = memory.plans[key]
            return kept if kept is not None and not kept.declined else None
        try:
            found: Plan | None = self._build(prepared, operation, variables, lang)
        except Fallback as reason:
            log.debug("not direct: %s", reason)
            found = None
        except (GraphQLError, RecursionError):
            found = None
        if len(memory.plans) < MAX_PLANS_PER_OPERATION:
            memory.plans[key] = found
        return found

    def _operation(
        self, prepared: PreparedDocument, operation: OperationDefinitionNode
    ) -> _Operation | None:
        """The memory of an operation the direct path may answer, else ``None``."""
        if not _eligible(operation, prepared) or prepared.document is None:
            return None
        try:
            cost.check_literals(prepared.document, self.settings)
        except GraphQLError:
            return None
        return _Operation()

    def _build(
        self,
        prepared: PreparedDocument,
        operation: OperationDefinitionNode,
        variables: dict[str, Any] | None,
        lang: Lang,
    ) -> Plan:
        coerced = get_variable_values(
            self.schema, operation.variable_definitions or (), variables or {}
        )
        if not isinstance(coerced, VariableValues):
            raise Fallback("variables")
        assert prepared.document is not None
        fragments = {
            d.name.value: d
            for d in prepared.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        estimate = cost.check_cost(
            self.schema,
            prepared.document,
            variables,
            self.settings,
            operation.name.value if operation.name else None,
        )
        name = operation.name.value if operation.name else None
        builder = _Builder(self.schema, self.settings, fragments, coerced, lang, prepared, name)
        query = self.schema.query_type
        assert query is not None
        groups = builder.collect([operation.selection_set], query)
        alone = len(groups) == 1
        roots = [builder.root(query, key, nodes, alone) for key, nodes in groups.items()]
        return Plan(roots, estimate)

    async def run(
        self, plan: Plan, context: Context, variables: dict[str, Any] | None, text: str
    ) -> dict[str, Any] | None:
        """The response body, or ``None`` when the usual path must answer."""
        try:
            tokens = cost.check_variables(variables, self.settings)
            cost.check_document(text, tokens, self.settings)
        except GraphQLError:
            return None
        operations.record_operation("query")
        with statement_log() as entry:
            outcomes = await _fetch_all(plan.roots, context)
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        if any(isinstance(o, asyncio.CancelledError) for o in failures):
            raise asyncio.CancelledError  # the client left: its work stops here
        if any(not isinstance(o, StoreError) for o in failures):
            reason = next(o for o in failures if not isinstance(o, StoreError))
            if isinstance(reason, _STORE_FAILURES):  # the usual path runs again and tells it
                log.info("direct path declined after a store failure: %s", reason)
                return None
            log.info("direct path declined after its statements: %s", reason)
            plan.declined = True  # Fallback, or a value the schema would refuse
            return None
        operations.record_statements(entry.count)
        data: dict[str, Any] | None = {}
        errors: list[dict[str, Any]] = []
        for root, outcome in zip(plan.roots, outcomes, strict=True):
            if isinstance(outcome, StoreError):
                # told as the usual path tells it (schema/extensions.py), not run again: a
                # statement that timed out would only time out a second time
                errors.append(_store_failure(root, outcome))
                if not root.nullable:
                    data = None
                elif data is not None:
                    data[root.key] = None
            elif data is not None:
                data[root.key] = outcome
        body: dict[str, Any] = {"data": data}
        if errors:
            body["errors"] = errors
        body["extensions"] = {
            "cost": {"estimate": plan.cost, "budget": self.settings.cost_budget},
            "cypher": {
                "statements": entry.count,
                "milliseconds": round(entry.seconds * 1000, 1),
            },
        }
        return body


async def _fetch_all(roots: list[_Root], context: Context) -> list[Any]:
    """Each root's value or exception, the roots fetched at once; one root in this task
    (most queries have one: no task of its own to create and schedule)."""
    if len(roots) == 1:
        try:
            return [await roots[0].fetch(context)]
        except Exception as error:  # told apart by the caller, as gather returns it
            return [error]
    return list(
        await asyncio.gather(*(root.fetch(context) for root in roots), return_exceptions=True)
    )


def _store_failure(root: _Root, error: StoreError) -> dict[str, Any]:
    """The error of a root field whose statement the store failed: worded as
    :class:`schema.extensions.PublicErrors` words it, counted and logged as
    ``schema.app.OgpSchema.process_errors`` does."""
    located = GraphQLError(
        str(error), nodes=[root.node] if root.node else None, path=[root.key], original_error=error
    )
    operations.record_errors([located])
    log.warning("store: %s", error)
    if isinstance(error, StoreUnavailable):
        return dict(located.formatted)
    public = GraphQLError(public_message(located), nodes=located.nodes, path=located.path)
    return dict(public.formatted)
