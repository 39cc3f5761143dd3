"""What one request may ask for: bounded input and a cost budget, checked before anything runs.

Three checks, each refusing with a GraphQL error that says which limit and by how much:

- **bounded input** (before parsing): the document's length, its tokens plus those of its
  variables, and every variable value's nesting depth, list lengths and string lengths;
  the same bounds for the literal values of the parsed document, and a bound on chains
  of fragment spreads (which graphql-core's validation would follow into a RecursionError);
- **the cost budget** (after validation, before execution): an estimate of the rows the
  request can touch, from the document and its variables (see :func:`estimate_cost`).

The estimate reads the schema's shapes, not field names: a connection (a type with
``edges`` and ``pageInfo``) yields ``first`` items (the default page size when absent);
any other list of objects yields the configured fan-out (or what its arguments say:
``ids``, ``limit``); a root list, count, search or grouping scans ``cost_scan_rows``; a
nested one reads ``cost_fanout`` related rows per parent; a ``where`` multiplies that
scan by its weight, where a condition through a to-many link (``some``/``none``/``all``)
multiplies by the fan-out at each level of nesting. Costs multiply along each path.
The numbers are upper bounds that keep the answer's size and the store's work bounded;
the settings of :class:`schema.settings.ApiSettings` tune them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import suppress
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    TokenKind,
    get_named_type,
    get_nullable_type,
    is_input_object_type,
    is_leaf_type,
    is_list_type,
    value_from_ast_untyped,
)
from graphql.error import GraphQLSyntaxError
from graphql.language import Lexer, Source
from strawberry.extensions import SchemaExtension

from schema.operations import record_operation
from schema.settings import ApiSettings
from schema.transport.inputs import lone_surrogate

#: the ``extensions.code`` of each refusal
COST_LIMIT = "COST_LIMIT"
INPUT_LIMIT = "INPUT_LIMIT"


class RequestRefused(GraphQLError):
    """A request refused by a limit: the client's doing, told in full, never masked."""

    def __init__(self, message: str, code: str, **details: Any) -> None:
        super().__init__(message, extensions={"code": code, **details})


def _input_refused(message: str, **details: Any) -> RequestRefused:
    return RequestRefused(message, INPUT_LIMIT, **details)


# --- bounded input -----------------------------------------------------------------------


def _check_unicode(text: str, where: str) -> None:
    found = lone_surrogate(text)
    if found is not None:
        raise _input_refused(f"{where} is not valid Unicode: {found}")


def check_variables(variables: Mapping[str, Any] | None, settings: ApiSettings) -> int:
    """Bound the variables' values; return how many tokens they count as.

    A scalar is one token, a key two (name and colon), a list or object two
    (its brackets), as the document's tokens are counted. The walk keeps its
    own stack, so a value nested 10,000 levels deep is refused, not recursed into.
    """
    if not variables:
        return 0
    tokens = 0
    stack: list[tuple[str, Any, int]] = [
        (f"${name}", value, 1) for name, value in variables.items()
    ]
    tokens += 2 * len(stack)
    while stack:
        where, value, depth = stack.pop()
        if depth > settings.max_input_depth:
            raise _input_refused(
                f"variable {where.split('.')[0].split('[')[0]} is nested more than "
                f"{settings.max_input_depth} levels deep",
                limit=settings.max_input_depth,
            )
        if isinstance(value, dict):
            tokens += 2 + 2 * len(value)
            for key, item in value.items():
                _check_unicode(key, f"a field name in {where}")
                stack.append((f"{where}.{key}", item, depth + 1))
        elif isinstance(value, list):
            if len(value) > settings.max_list_length:
                raise _input_refused(
                    f"{where} holds {len(value):,} items; a list may hold at most "
                    f"{settings.max_list_length:,}",
                    limit=settings.max_list_length,
                )
            tokens += 2
            stack.extend((f"{where}[{i}]", item, depth + 1) for i, item in enumerate(value))
        else:
            if isinstance(value, str) and len(value) > settings.max_string_length:
                raise _input_refused(
                    f"{where} is {len(value):,} characters long; a string may be at most "
                    f"{settings.max_string_length:,}",
                    limit=settings.max_string_length,
                )
            if isinstance(value, str):
                _check_unicode(value, where)
            tokens += 1
        if tokens > settings.max_tokens:
            raise _input_refused(
                f"the variables count as more than {settings.max_tokens:,} tokens, the "
                "limit of a request (document and variables together)",
                limit=settings.max_tokens,
            )
    return tokens


@lru_cache(maxsize=512)
def document_tokens(query: str, limit: int) -> int:
    """Tokens of ``query`` as the parser counts them, stopping once past ``limit``.

    The lexer works in one pass without recursion, so this is cheap and bounded
    for a document of bounded length; a lexing error is left for the parser to report.
    """
    lexer = Lexer(Source(query))
    count = 0
    try:
        while lexer.advance().kind != TokenKind.EOF:
            count += 1
            if count > limit:
                break
    except GraphQLSyntaxError:
        pass
    return count


def check_document(query: str | None, variable_tokens: int, settings: ApiSettings) -> None:
    """Bound the document's length and its tokens together with the variables' ones."""
    if not query:
        return
    if len(query) > settings.max_document_length:
        raise _input_refused(
            f"the document is {len(query):,} characters long; at most "
            f"{settings.max_document_length:,} are accepted",
            limit=settings.max_document_length,
        )
    tokens = document_tokens(query, settings.max_tokens)
    if tokens + variable_tokens > settings.max_tokens:
        raise _input_refused(
            f"the document ({tokens:,}{'+' if tokens > settings.max_tokens else ''} tokens) and "
            f"its variables ({variable_tokens:,} tokens) exceed the limit of "
            f"{settings.max_tokens:,} tokens per request",
            limit=settings.max_tokens,
        )


def _fragment_chain_depth(document: DocumentNode, limit: int) -> int:
    """The longest chain of fragment spreads (F1 spreads F2 spreads F3...), up to ``limit + 1``."""
    spreads: dict[str, set[str]] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            names = spreads.setdefault(definition.name.value, set())
            names.update(_spread_names(definition.selection_set))
    longest: dict[str, int] = {}
    for start in spreads:
        # iterative depth-first walk; a cycle is validation's to report, so it stops here
        stack: list[tuple[str, int, frozenset[str]]] = [(start, 1, frozenset((start,)))]
        while stack:
            name, depth, seen = stack.pop()
            if depth > limit:
                return depth
            if longest.get(name, 0) >= depth and name != start:
                continue
            longest[name] = max(longest.get(name, 0), depth)
            for target in spreads.get(name, ()):
                if target not in seen:
                    stack.append((target, depth + 1, seen | {target}))
    return max(longest.values(), default=0)


def _spread_names(selection_set: SelectionSetNode | None) -> Iterator[str]:
    stack = [selection_set] if selection_set else []
    while stack:
        current = stack.pop()
        for selection in current.selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection.name.value
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                stack.append(selection.selection_set)


def check_literals(document: DocumentNode, settings: ApiSettings) -> None:
    """Bound the literal values of a parsed document, and its chains of fragments."""
    depth = _fragment_chain_depth(document, settings.max_depth)
    if depth > settings.max_depth:
        raise _input_refused(
            f"fragments spread one another more than {settings.max_depth} levels deep",
            limit=settings.max_depth,
        )
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, ListValueNode | ObjectValueNode):
            level += 1
            if level > settings.max_input_depth:
                raise _input_refused(
                    f"an argument is nested more than {settings.max_input_depth} levels deep",
                    limit=settings.max_input_depth,
                )
        if isinstance(node, ListValueNode) and len(node.values) > settings.max_list_length:
            raise _input_refused(
                f"a list argument holds {len(node.values):,} items; at most "
                f"{settings.max_list_length:,} are accepted",
                limit=settings.max_list_length,
            )
        if isinstance(node, StringValueNode) and len(node.value) > settings.max_string_length:
            raise _input_refused(
                f"a string argument is {len(node.value):,} characters long; at most "
                f"{settings.max_string_length:,} are accepted",
                limit=settings.max_string_length,
            )
        for key in node.keys:
            child = getattr(node, key, None)
            if isinstance(child, tuple | list):
                stack.extend((item, level) for item in child if hasattr(item, "keys"))
            elif hasattr(child, "keys") and hasattr(child, "kind"):
                stack.append((child, level))


# --- the cost estimate -------------------------------------------------------------------


def _is_connection(type_: GraphQLNamedType) -> bool:
    return isinstance(type_, GraphQLObjectType) and {"edges", "pageInfo"} <= set(type_.fields)


def _is_list_condition(type_: GraphQLNamedType) -> bool:
    """``XListWhere``: a condition on the related nodes of a to-many link."""
    return is_input_object_type(type_) and {"some", "none", "all"} <= set(type_.fields)


def _int(value: Any, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return value


class CostEstimator:
    """Estimates the rows one operation can touch (see the module's docstring)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        settings: ApiSettings,
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.document = document
        self.given = dict(variables or {})
        self._memo: dict[tuple[str, str, int | None], int] = {}

    def operation_cost(self, operation: OperationDefinitionNode) -> int:
        """The estimate of one operation."""
        self.variables = {
            d.variable.name.value: value_from_ast_untyped(d.default_value)
            for d in operation.variable_definitions or ()
            if d.default_value is not None
        }
        self.variables.update(self.given)
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        return self._selections(operation.selection_set, root, None, 0)

    def cost(self, operation_name: str | None) -> int:
        """The estimate of the operation that runs; of the costliest one when that is unclear."""
        operations = [
            d for d in self.document.definitions if isinstance(d, OperationDefinitionNode)
        ]
        if operation_name is not None:
            operations = [o for o in operations if o.name and o.name.value == operation_name]
        elif len(operations) > 1:
            return max(self.operation_cost(o) for o in operations)
        return self.operation_cost(operations[0]) if operations else 0

    # ---

    def _selections(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType,
        hint: int | None,
        level: int,
    ) -> int:
        """Cost per object of ``parent`` of the selections; ``hint``: the size of its lists."""
        if selection_set is None or level > 4 * self.settings.max_depth:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, hint, level)
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition is not None:
                    target = self.schema.get_type(selection.type_condition.name.value) or parent
                total += self._selections(selection.selection_set, target, hint, level + 1)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value) or parent
                key = (fragment.name.value, target.name, hint)
                if key not in self._memo:
                    self._memo[key] = 0  # a cycle (refused by validation) costs nothing more
                    self._memo[key] = self._selections(
                        fragment.selection_set, target, hint, level + 1
                    )
                total += self._memo[key]
        return total

    def _field(
        self, node: FieldNode, parent: GraphQLNamedType, hint: int | None, level: int
    ) -> int:
        fields = getattr(parent, "fields", None)
        if not fields or node.name.value not in fields:
            return 0  # __typename and the like; unknown fields are validation's to refuse
        definition = fields[node.name.value]
        target = get_named_type(definition.type)
        if is_leaf_type(target):
            return 0
        settings = self.settings
        args = {
            a.name.value: value_from_ast_untyped(a.value, self.variables)
            for a in node.arguments or ()
        }
        is_root = parent is self.schema.query_type
        scan = settings.cost_scan_rows if is_root else settings.cost_fanout
        where_type = definition.args.get("where")
        weight = 1
        if where_type is not None and args.get("where") is not None:
            weight = 1 + self._where_weight(args["where"], get_named_type(where_type.type))
        child_hint: int | None = None
        work = 0
        if _is_connection(target):
            first = _int(args.get("first"), settings.default_page_size)
            items, child_hint = 1, max(0, min(first, settings.max_page_size))
            work = scan * weight
        elif "ids" in definition.args:
            ids = args.get("ids")
            items = work = len(ids) if isinstance(ids, list) else 1
        elif "depth" in definition.args:  # exploration around a node
            depth = _int(args.get("depth"), 1)
            depth = max(1, min(depth, settings.max_neighborhood_depth))
            limit = _int(args.get("limit"), settings.max_graph_nodes)
            limit = max(0, min(limit, settings.max_graph_nodes))
            items, child_hint = 1, limit + 1
            work = settings.cost_fanout**depth + limit
        elif "maxLength" in definition.args:  # a path search
            length = _int(args.get("maxLength"), settings.max_path_length)
            length = max(1, min(length, settings.max_path_length))
            items, child_hint = 1, length + 1
            work = settings.cost_scan_rows * length
        elif "by" in definition.args:  # grouped counts
            by = args.get("by")
            keys = len(by) if isinstance(by, list) and by else 1
            items = min(settings.cost_fanout**keys, settings.cost_scan_rows)
            work = settings.cost_scan_rows * keys * weight
        elif is_list_type(get_nullable_type(definition.type)):
            items = hint if hint is not None else settings.cost_fanout
            work = 1
        else:  # one object: a to-one link, a count, an entity by id
            items = 1
            work = scan * weight if where_type is not None else 1
        per_item = 1 + self._selections(node.selection_set, target, child_hint, level + 1)
        return work + items * per_item

    def _where_weight(self, value: Any, type_: GraphQLNamedType) -> int:
        """How many times a filter multiplies the rows its list reads (0: a plain condition)."""
        if not isinstance(value, dict) or not isinstance(type_, GraphQLInputObjectType):
            return 0
        weight = 0
        for key, given in value.items():
            field = type_.fields.get(key)
            if field is None or given is None:
                continue
            field_type: GraphQLInputType = field.type
            inner = get_named_type(field_type)
            if is_list_type(get_nullable_type(field_type)):  # AND / OR: each term counts
                items = given if isinstance(given, list) else [given]
                weight += sum(1 + self._where_weight(item, inner) for item in items)
            elif isinstance(inner, GraphQLInputObjectType) and _is_list_condition(inner):
                for quantifier in ("some", "none", "all"):
                    condition = given.get(quantifier) if isinstance(given, dict) else None
                    if condition is not None:
                        nested = get_named_type(inner.fields[quantifier].type)
                        weight += self.settings.cost_fanout * max(
                            1, self._where_weight(condition, nested)
                        )
            elif is_input_object_type(inner) and "AND" in inner.fields:
                weight += 1 + self._where_weight(given, inner)  # a to-one link: one join
            else:
                weight += 1
        return weight


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    settings: ApiSettings,
    operation_name: str | None = None,
) -> int:
    """The estimated cost (rows it can touch) of running ``document`` with ``variables``."""
    return CostEstimator(schema, document, variables, settings).cost(operation_name)


def check_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    settings: ApiSettings,
    operation_name: str | None = None,
) -> int:
    """The estimate, or :class:`RequestRefused` when it is over the budget."""
    cost = estimate_cost(schema, document, variables, settings, operation_name)
    if cost > settings.cost_budget:
        raise RequestRefused(
            f"this request could touch about {cost:,} rows, over the budget of "
            f"{settings.cost_budget:,} per request: ask for smaller pages (`first`), fewer "
            "nested lists or simpler filters",
            COST_LIMIT,
            cost=cost,
            budget=settings.cost_budget,
        )
    return cost


class RequestLimits(SchemaExtension):
    """Applies the checks of this module at each step of a request; reports the estimate."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        self.cost: int | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        variable_tokens = check_variables(context.variables, self.settings)
        check_document(context.query, variable_tokens, self.settings)
        yield

    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        with suppress(RuntimeError):  # several operations, none named: refused later
            record_operation(self.execution_context.operation_type.value)
        if document is not None:
            check_literals(document, self.settings)
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        self.cost = check_cost(
            context.schema._schema,
            context.graphql_document,
            context.variables,
            self.settings,
            context.operation_name,
        )
        yield

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        return {"cost": {"estimate": self.cost, "budget": self.settings.cost_budget}}
