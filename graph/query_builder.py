"""Typed filters and sorts, turned into one parameterised Cypher statement.

The GraphQL layer builds a :class:`Where` tree and a list of :class:`Order`
from its inputs; this module is the one place that writes them as Cypher.
Labels, relationship types and property names come from :mod:`graph.fields`
(derived from :mod:`graph.domain`)
only; every value a user gave travels as a parameter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graph.fields import DEFAULT_SORT, FIELDS, LINKS, Field, Kind, Link
from graph.normalize import fold
from graph.statements import Statement

TEXT_OPERATORS = ("eq", "in", "contains", "startsWith")
NUMBER_OPERATORS = ("eq", "in", "gt", "gte", "lt", "lte")
ENUM_OPERATORS = ("eq", "in")
QUANTIFIERS = ("single", "some", "none", "all")
LANGS = ("en", "fr")


# --- the typed input ----------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """``field op value`` on the node itself."""

    field: str
    op: str
    value: Any

    def __post_init__(self) -> None:
        # lists become tuples: a filter is a key of the request's loaders, so it must hash
        if isinstance(self.value, list):
            object.__setattr__(self, "value", tuple(self.value))


@dataclass(frozen=True)
class Related:
    """A condition on related nodes: ``single`` for a to-one link, else some/none/all."""

    link: str
    quantifier: str
    where: Where


@dataclass(frozen=True)
class Where:
    """All of ``conditions`` and ``related``, all of ``all_of``, one of ``any_of``, not ``negated``."""

    conditions: tuple[Condition, ...] = ()
    related: tuple[Related, ...] = ()
    all_of: tuple[Where, ...] = ()
    any_of: tuple[Where, ...] = ()
    negated: Where | None = None


#: the filter that lets every node through
EVERYTHING = Where()


@dataclass(frozen=True)
class Order:
    """Sort by ``field`` (a name of :data:`graph.fields.FIELDS`), ``ASC`` or ``DESC``."""

    field: str
    direction: str = "ASC"


class QueryError(ValueError):
    """A filter or sort names something the label does not have."""


# --- compilation --------------------------------------------------------------


@dataclass
class FilterCompiler:
    """Writes a :class:`Where` as a Cypher condition, collecting its parameters."""

    params: dict[str, Any] = field(default_factory=dict)
    counter: int = 0

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = list(value) if isinstance(value, tuple) else value
        return f"${name}"

    def var(self) -> str:
        self.counter += 1
        return f"m{self.counter}"

    def where(self, label: str, var: str, where: Where) -> str:
        parts = [self.condition(label, var, c) for c in where.conditions]
        parts += [self.related(label, var, r) for r in where.related]
        parts += [self.where(label, var, w) for w in where.all_of]
        if where.any_of:
            parts.append("(" + " OR ".join(self.where(label, var, w) for w in where.any_of) + ")")
        if where.negated is not None:
            parts.append(f"NOT {self.where(label, var, where.negated)}")
        if not parts:
            return "true"
        return "(" + " AND ".join(parts) + ")"

    def condition(self, label: str, var: str, cond: Condition) -> str:
        spec = _field(label, cond.field)
        op = cond.op
        if spec.kind is Kind.BILINGUAL:
            _check_op(label, cond.field, op, TEXT_OPERATORS)
            value = self.param(_fold_value(cond.value))
            test = _text_test("t", op, value)
            return f"any(t IN coalesce({var}.{spec.property}_norm, []) WHERE {test})"
        if spec.kind is Kind.TEXT:
            _check_op(label, cond.field, op, TEXT_OPERATORS)
            value = self.param(_fold_value(cond.value))
            return f"coalesce({_text_test(f'toLower({var}.{spec.property})', op, value)}, false)"
        if spec.kind is Kind.ID:
            _check_op(label, cond.field, op, ENUM_OPERATORS)
            return f"{var}.id {_cmp(op)} {self.param(cond.value)}"
        if spec.kind is Kind.ENUM:
            _check_op(label, cond.field, op, ENUM_OPERATORS)
            return f"coalesce({var}.{spec.property} {_cmp(op)} {self.param(cond.value)}, false)"
        if spec.kind is Kind.BOOL:
            _check_op(label, cond.field, op, ("eq",))
            return f"coalesce({var}.{spec.property} = {self.param(cond.value)}, false)"
        if spec.kind is Kind.DATE:
            # `YYYY-MM` and `YYYY-MM-DD` compare as text in calendar order
            _check_op(label, cond.field, op, NUMBER_OPERATORS)
            return f"coalesce({var}.{spec.property} {_cmp(op)} {self.param(cond.value)}, false)"
        _check_op(label, cond.field, op, NUMBER_OPERATORS)
        expr = _expression(spec, var)
        return f"coalesce({expr} {_cmp(op)} {self.param(cond.value)}, false)"

    def related(self, label: str, var: str, rel: Related) -> str:
        link = _link(label, rel.link)
        if rel.quantifier not in QUANTIFIERS:
            raise QueryError(f"unknown quantifier {rel.quantifier!r}")
        if (rel.quantifier == "single") == link.many:
            expected = "some, none or all" if link.many else "a direct filter"
            raise QueryError(f"{label}.{rel.link} takes {expected}")
        other = self.var()
        inner = self.where(link.target, other, rel.where)
        pattern = link.pattern(var, other)
        if rel.quantifier in ("single", "some"):
            return f"EXISTS {{ MATCH {pattern} WHERE {inner} }}"
        if rel.quantifier == "none":
            return f"NOT EXISTS {{ MATCH {pattern} WHERE {inner} }}"
        return f"NOT EXISTS {{ MATCH {pattern} WHERE NOT {inner} }}"


def match_where(label: str, var: str, where: Where, compiler: FilterCompiler) -> str:
    """``MATCH (var:label) WHERE ...``, started from the related side when it can be.

    A filter that requires a related node (``some``, or a to-one link) is answered
    from that side: the related nodes that pass their own condition first, then
    the nodes linked to them. Scanning every node of ``label`` and testing an
    ``EXISTS`` subquery on each takes 20-30 times longer at scale. The result is
    the same set of ``var`` (distinct), then filtered by the rest of ``where``.
    """
    anchor = next((r for r in where.related if _anchors(label, r)), None)
    if anchor is None:
        return f"MATCH ({var}:{label}){where_clause(compiler.where(label, var, where))}"
    link = _link(label, anchor.link)
    other = compiler.var()
    inner = compiler.where(link.target, other, anchor.where)
    rest = Where(
        where.conditions,
        tuple(r for r in where.related if r is not anchor),
        where.all_of,
        where.any_of,
        where.negated,
    )
    return (
        f"MATCH ({other}:{link.target}) WHERE {inner} "
        f"MATCH {link.pattern(f'{var}:{label}', other)} "
        f"WITH DISTINCT {var}{where_clause(compiler.where(label, var, rest))}"
    )


def where_clause(condition: str) -> str:
    """`` WHERE condition``, or nothing for a condition that lets everything through.

    ArcadeDB answers ``MATCH (n:Indicator) RETURN count(n)`` from its counts (12-17 ms at
    100x) but scans every node for ``... WHERE true RETURN count(n)`` (0.5-0.9 s).
    """
    return "" if condition == "true" else f" WHERE {condition}"


def anchored(label: str, where: Where) -> bool:
    """True when :func:`match_where` starts ``where`` from a related node."""
    return any(_anchors(label, r) for r in where.related)


def _anchors(label: str, rel: Related) -> bool:
    """True when ``rel`` requires a related node (others are checked where they are used)."""
    link = LINKS.get(label, {}).get(rel.link)
    return link is not None and rel.quantifier == ("some" if link.many else "single")


def _field(label: str, name: str) -> Field:
    try:
        return FIELDS[label][name]
    except KeyError:
        raise QueryError(f"{label} has no field {name!r} to filter or sort on") from None


def _link(label: str, name: str) -> Link:
    try:
        return LINKS[label][name]
    except KeyError:
        raise QueryError(f"{label} has no relationship {name!r}") from None


def _check_op(label: str, name: str, op: str, allowed: tuple[str, ...]) -> None:
    if op not in allowed:
        raise QueryError(f"{label}.{name} does not take the operator {op!r}")


def _fold_value(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [fold(str(v)) for v in value]
    return fold(str(value))


def _text_test(subject: str, op: str, value: str) -> str:
    return {
        "eq": f"{subject} = {value}",
        "in": f"{subject} IN {value}",
        "contains": f"{subject} CONTAINS {value}",
        "startsWith": f"{subject} STARTS WITH {value}",
    }[op]


def _cmp(op: str) -> str:
    return {"eq": "=", "in": "IN", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]


def _expression(spec: Field, var: str) -> str:
    if spec.kind is Kind.COUNT:
        assert spec.expression is not None
        return spec.expression.replace("{v}", var)
    return f"{var}.{spec.property}"


def _sort_expression(label: str, var: str, order: Order, lang: str) -> tuple[str, str]:
    spec = _field(label, order.field)
    direction = order.direction.upper()
    if direction not in ("ASC", "DESC"):
        raise QueryError(f"unknown sort direction {order.direction!r}")
    if spec.kind is Kind.BILINGUAL:
        expr = f"toLower({localized(var, spec.property, lang)})"
    elif spec.sort_property:
        expr = f"{var}.{spec.sort_property}"
    else:
        expr = _expression(spec, var)
    return expr, direction


def other_lang(lang: str) -> str:
    """The language of the graph's texts that is not ``lang``."""
    return "fr" if lang == "en" else "en"


def localized(var: str, prop: str, lang: str) -> str:
    """The bilingual text ``prop`` of ``var`` in ``lang``, else in the other language."""
    return f"coalesce({var}.{prop}_{lang}, {var}.{prop}_{other_lang(lang)})"


def order_terms(label: str, var: str, sort: tuple[Order, ...], lang: str) -> list[tuple[str, str]]:
    """The ORDER BY list as ``(expression, ASC|DESC)`` pairs: the given sort, then the
    label's default, then the id."""
    if lang not in LANGS:
        raise QueryError(f"unknown language {lang!r}")
    chosen = list(sort) or [Order(f, d) for f, d in DEFAULT_SORT.get(label, ())]
    terms = [_sort_expression(label, var, o, lang) for o in chosen]
    terms.append((f"{var}.id_sort", "ASC"))
    return list(dict.fromkeys(terms))


def order_by(label: str, var: str, sort: tuple[Order, ...], lang: str) -> str:
    """The ORDER BY list: the given sort, then the label's default, then the id."""
    return ", ".join(
        f"{expr} {direction}" for expr, direction in order_terms(label, var, sort, lang)
    )


# --- statements -----------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """A statement and the parameters its filter needs."""

    statement: Statement
    params: dict[str, Any]


def page_of(label: str, where: Where, sort: tuple[Order, ...], lang: str) -> Built:
    """Nodes of ``label`` passing ``where``, sorted; returns ``total`` and the ``$skip``/``$limit`` page."""
    compiler = FilterCompiler()
    cypher = (
        f"{match_where(label, 'n', where, compiler)} "
        f"WITH n ORDER BY {order_by(label, 'n', sort, lang)} "
        "WITH collect(n) AS matched "
        "RETURN size(matched) AS total, "
        "[x IN matched[$skip..($skip + $limit)] | properties(x)] AS nodes"
    )
    return Built(Statement(f"query.page[{label}]", cypher, compiler.params), compiler.params)


def count_of(label: str, where: Where) -> Built:
    """How many nodes of ``label`` pass ``where``."""
    compiler = FilterCompiler()
    cypher = f"{match_where(label, 'n', where, compiler)} RETURN count(n) AS total"
    return Built(Statement(f"query.count[{label}]", cypher, compiler.params), compiler.params)


def related_to(
    label: str, link_name: str, where: Where, sort: tuple[Order, ...], lang: str
) -> Built:
    """For each ``$parents`` id of ``label``: its related nodes through ``link_name``, sorted."""
    link = _link(label, link_name)
    compiler = FilterCompiler()
    condition = compiler.where(link.target, "n", where)
    cypher = (
        f"MATCH (p:{label}) WHERE p.id IN $parents "
        f"MATCH {link.pattern('p', 'n')} WHERE {condition} "
        f"WITH p, n ORDER BY {order_by(link.target, 'n', sort, lang)} "
        "RETURN p.id AS parent, collect(properties(n)) AS nodes"
    )
    name = f"query.related[{label}.{link_name}]"
    return Built(Statement(name, cypher, compiler.params), compiler.params)


def count_related(label: str, link_name: str, where: Where) -> Built:
    """For each ``$parents`` id: how many related nodes through ``link_name`` pass ``where``."""
    link = _link(label, link_name)
    compiler = FilterCompiler()
    condition = compiler.where(link.target, "n", where)
    cypher = (
        f"MATCH (p:{label}) WHERE p.id IN $parents "
        f"OPTIONAL MATCH {link.pattern('p', 'n')} WHERE {condition} "
        "RETURN p.id AS parent, count(n) AS total"
    )
    name = f"query.count_related[{label}.{link_name}]"
    return Built(Statement(name, cypher, compiler.params), compiler.params)


def by_ids(label: str) -> Statement:
    """Nodes of ``label`` whose id is in ``$ids``."""
    return Statement(
        f"query.by_ids[{label}]",
        f"MATCH (n:{label}) WHERE n.id IN $ids RETURN properties(n) AS node",
    )


# --- every shape, for the Cypher check -------------------------------------------


def _sample_where(label: str) -> Where:
    """A filter that uses every field and link of ``label`` once."""
    conditions = []
    for name, spec in FIELDS[label].items():
        op = {
            Kind.BILINGUAL: "contains",
            Kind.TEXT: "startsWith",
            Kind.DATE: "lt",
            Kind.ENUM: "in",
            Kind.ID: "in",
            Kind.BOOL: "eq",
        }.get(spec.kind, "gte")
        conditions.append(Condition(name, op, ["x"] if op == "in" else "x"))
    related = []
    for name, link in LINKS.get(label, {}).items():
        inner = Where(conditions=(Condition("id", "eq", "x"),))
        for quantifier in ("some", "none", "all") if link.many else ("single",):
            related.append(Related(name, quantifier, inner))
    return Where(
        conditions=tuple(conditions),
        related=tuple(related),
        any_of=(Where(conditions=(Condition("id", "eq", "a"),)), Where()),
        negated=Where(conditions=(Condition("id", "in", ["b"]),)),
    )


def lintable_statements() -> Iterator[Statement]:
    """Each statement shape with every field, operator family and link of every label."""
    for label in FIELDS:
        where = _sample_where(label)
        sort = tuple(Order(name, "DESC") for name in FIELDS[label])
        yield page_of(label, where, sort, "fr").statement
        yield count_of(label, where).statement
        yield by_ids(label)
        for link_name, link in LINKS.get(label, {}).items():
            yield related_to(label, link_name, _sample_where(link.target), (), "en").statement
            yield count_related(label, link_name, Where()).statement
