"""RDF Dataset Canonicalization (RDFC-1.0, formerly URDNA2015) over plain tuples.

A quad is ``(subject, predicate, object, graph)``. Subjects, objects and graph names are
terms: ``("iri", value)``, ``("blank", label)`` or ``("literal", lexical, datatype,
language)``; the predicate is an IRI string; the default graph is ``None``.

The output is byte for byte what pyld's ``normalize`` (the reference the tests compare
against) writes, including its escaping of literals (backslash, tab, newline, carriage
return and double quote).

Indistinguishable blank nodes make the N-degree step explore permutations; a document made
to need more than ``MAX_PERMUTATIONS`` of them is refused instead of hanging the program.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from itertools import permutations

from assessor.errors import ValidationError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
MAX_PERMUTATIONS = 20_000

Iri = tuple[str, str]
Literal = tuple[str, str, str, str]
Term = Iri | Literal
Quad = tuple[Term, str, Term, Term | None]


class CanonicalizationError(ValidationError):
    """The dataset cannot be canonicalized within the work limit."""


def escape(text: str) -> str:
    if not any(ch in text for ch in '\\\t\n\r"'):
        return text
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r").replace('"', '\\"'))


def term_nquads(term: Term, labels: dict[str, str] | None = None) -> str:
    """One term as N-Quads; ``labels`` renames blank nodes (absent ones keep their label)."""
    kind = term[0]
    if kind == "iri":
        return f"<{term[1]}>"
    if kind == "blank":
        label = labels.get(term[1], term[1]) if labels is not None else term[1]
        return f"_:{label}"
    literal: Literal = term  # type: ignore[assignment]
    text = f'"{escape(literal[1])}"'
    if literal[3]:
        return f"{text}@{literal[3]}"
    if literal[2] != XSD_STRING:
        return f"{text}^^<{literal[2]}>"
    return text


def quad_nquads(quad: Quad, labels: dict[str, str] | None = None) -> str:
    subject, predicate, obj, graph = quad
    line = f"{term_nquads(subject, labels)} <{predicate}> {term_nquads(obj, labels)}"
    if graph is not None:
        line += f" {term_nquads(graph, labels)}"
    return line + " .\n"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Issuer:
    """Issues ``prefix0``, ``prefix1`` ... in order; remembers the order of issue."""

    __slots__ = ("counter", "issued", "prefix")

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.counter = 0
        self.issued: dict[str, str] = {}  # insertion-ordered: the order of issue

    def issue(self, label: str) -> str:
        found = self.issued.get(label)
        if found is None:
            found = f"{self.prefix}{self.counter}"
            self.counter += 1
            self.issued[label] = found
        return found

    def copy(self) -> _Issuer:
        twin = _Issuer(self.prefix)
        twin.counter = self.counter
        twin.issued = dict(self.issued)
        return twin


def _blank_positions(quad: Quad) -> Iterator[tuple[str, str]]:
    """(position, label) of each blank node in ``quad``: s, o, g."""
    subject, _predicate, obj, graph = quad
    if subject[0] == "blank":
        yield "s", subject[1]
    if obj[0] == "blank":
        yield "o", obj[1]
    if graph is not None and graph[0] == "blank":
        yield "g", graph[1]


class _Canonicalizer:
    def __init__(self, quads: list[Quad]) -> None:
        self.quads = quads
        self.by_blank: dict[str, list[Quad]] = {}
        for quad in quads:
            for _position, label in _blank_positions(quad):
                # once per mention, as the reference does: a blank node that is both
                # subject and object of a quad lists it twice
                self.by_blank.setdefault(label, []).append(quad)
        self.canonical = _Issuer("c14n")
        self.first_degree: dict[str, str] = {}
        self.permutations = 0

    def hash_first_degree(self, label: str) -> str:
        found = self.first_degree.get(label)
        if found is not None:
            return found
        lines = []
        for quad in self.by_blank[label]:
            names = {other: ("a" if other == label else "z")
                     for _position, other in _blank_positions(quad)}
            lines.append(quad_nquads(quad, names))
        lines.sort()
        found = self.first_degree[label] = _sha256("".join(lines))
        return found

    def hash_related(self, related: str, quad: Quad, issuer: _Issuer, position: str) -> str:
        if related in self.canonical.issued:
            identifier = "_:" + self.canonical.issued[related]
        elif related in issuer.issued:
            identifier = "_:" + issuer.issued[related]
        else:
            identifier = self.hash_first_degree(related)
        text = position
        if position != "g":
            text += f"<{quad[1]}>"
        return _sha256(text + identifier)

    def hash_n_degree(self, label: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        related_by_hash: dict[str, list[str]] = {}
        for quad in self.by_blank[label]:
            for position, other in _blank_positions(quad):
                if other != label:
                    digest = self.hash_related(other, quad, issuer, position)
                    related_by_hash.setdefault(digest, []).append(other)
        data = ""
        for digest in sorted(related_by_hash):
            data += digest
            chosen_path = ""
            chosen_issuer: _Issuer | None = None
            for order in permutations(related_by_hash[digest]):
                self.permutations += 1
                if self.permutations > MAX_PERMUTATIONS:
                    raise CanonicalizationError(
                        "The document has too many indistinguishable blank nodes to be "
                        "canonicalized.")
                found = self.path_for(order, issuer, chosen_path)
                if found is not None and (not chosen_path or found[0] < chosen_path):
                    chosen_path, chosen_issuer = found
            data += chosen_path
            assert chosen_issuer is not None
            issuer = chosen_issuer
        return _sha256(data), issuer

    def path_for(self, order: tuple[str, ...], issuer: _Issuer,
                 chosen_path: str) -> tuple[str, _Issuer] | None:
        """The path of one permutation of related blank nodes, ``None`` once it cannot be
        shorter than ``chosen_path``."""
        candidate = issuer.copy()
        path = ""
        recursion: list[str] = []
        for related in order:
            if related in self.canonical.issued:
                path += "_:" + self.canonical.issued[related]
            else:
                if related not in candidate.issued:
                    recursion.append(related)
                path += "_:" + candidate.issue(related)
            if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                return None
        for related in recursion:
            result_hash, candidate = self.hash_n_degree(related, candidate)
            path += "_:" + candidate.issue(related) + f"<{result_hash}>"
            if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                return None
        return path, candidate

    def run(self) -> str:
        by_hash: dict[str, list[str]] = {}
        for label in self.by_blank:
            by_hash.setdefault(self.hash_first_degree(label), []).append(label)
        shared: list[list[str]] = []
        for digest in sorted(by_hash):
            labels = by_hash[digest]
            if len(labels) == 1:
                self.canonical.issue(labels[0])
            else:
                shared.append(labels)
        for labels in shared:
            results: list[tuple[str, _Issuer]] = []
            for label in labels:
                if label in self.canonical.issued:
                    continue
                temporary = _Issuer("b")
                temporary.issue(label)
                results.append(self.hash_n_degree(label, temporary))
            results.sort(key=lambda result: result[0])
            for _digest, issuer in results:
                for label in issuer.issued:
                    self.canonical.issue(label)
        names = self.canonical.issued
        lines = sorted({quad_nquads(quad, names) for quad in self.quads})
        return "".join(lines)


def canonicalize(quads: Iterable[Quad]) -> str:
    """Canonical N-Quads of the dataset ``quads`` (duplicates count once)."""
    return _Canonicalizer(list(dict.fromkeys(quads))).run()
