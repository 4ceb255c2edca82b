"""JSON-LD processing for signing: canonical N-Quads, and refusal of what would not be signed.

A JSON-LD processor silently drops what it cannot map to an IRI: a term no context defines,
a relative ``id``. A signature over the canonical form would then not cover what the reader
sees. So before signing (and when verifying) a document is expanded and checked: every
property and type must map to an absolute IRI from a real vocabulary (VC 2.0's
"issuer-dependent" fallback vocabulary means "undefined" and is refused), every ``id`` must
be absolute, and nothing present in the JSON may vanish in expansion.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from pyld import jsonld
from pyld.context_resolver import ContextResolver

from assessor.credentials.contexts import document_loader, is_pinned
from assessor.credentials.rdfc import Quad, Term, canonicalize
from assessor.errors import ValidationError

UNDEFINED_VOCAB = "https://www.w3.org/ns/credentials/issuer-dependent#"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
MAX_DEPTH = 64
MAX_NODES = 200_000


class JsonLdError(ValidationError):
    """The document cannot be signed or verified as JSON-LD; the message says why."""


def _options() -> dict[str, Any]:
    return {"documentLoader": document_loader, "base": None}


def _guard_size(value: Any, depth: int = 0, seen: list[int] | None = None) -> None:
    """Refuse documents too deep or too large before any JSON-LD processing."""
    seen = seen if seen is not None else [0]
    seen[0] += 1
    if depth > MAX_DEPTH:
        raise JsonLdError(f"The document is nested more than {MAX_DEPTH} levels deep.")
    if seen[0] > MAX_NODES:
        raise JsonLdError(f"The document has more than {MAX_NODES:,} values.")
    if isinstance(value, dict):
        for item in value.values():
            _guard_size(item, depth + 1, seen)
    elif isinstance(value, list):
        for item in value:
            _guard_size(item, depth + 1, seen)


def _process(call: Any, *args: Any) -> Any:
    from assessor.credentials.contexts import UnknownContextError

    try:
        return call(*args)
    except jsonld.JsonLdError as exc:
        cause = exc
        while isinstance(cause, jsonld.JsonLdError) and isinstance(
                getattr(cause, "cause", None), BaseException):
            if isinstance(cause.cause, UnknownContextError):
                raise cause.cause from None
            cause = cause.cause
        detail = str(getattr(exc, "message", "")) or type(exc).__name__
        raise JsonLdError(f"The document is not valid JSON-LD: {detail}") from None
    except RecursionError:
        raise JsonLdError("The document is nested too deeply to process.") from None
    except ValueError as exc:  # pyld's IRI resolution, e.g. a relative @context "../a"
        raise JsonLdError(f"The document is not valid JSON-LD: {exc}") from None


def canonical_nquads(document: dict[str, Any]) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0, the algorithm pyld names URDNA2015)."""
    _guard_size(document)
    expanded = _fast_expand(document)
    if expanded is not None:
        return canonicalize(_to_quads(expanded))
    return reference_canonical_nquads(document)


def checked_canonical_nquads(document: dict[str, Any]) -> str:
    """``check_fully_defined`` then ``canonical_nquads``, sharing one expansion."""
    _guard_size(document)
    expanded = _fast_expand(document) if "@context" in document else None
    if expanded is not None:
        return canonicalize(_to_quads(expanded))
    reference_check_fully_defined(document)
    return reference_canonical_nquads(document)


def check_fully_defined(document: dict[str, Any]) -> None:
    """Raise ``JsonLdError`` unless every part of ``document`` survives JSON-LD expansion."""
    _guard_size(document)
    if "@context" in document and _fast_expand(document) is not None:
        return
    reference_check_fully_defined(document)


def reference_canonical_nquads(document: dict[str, Any]) -> str:
    """``canonical_nquads`` by pyld alone: the reference, and the path for unusual input."""
    _guard_size(document)
    options = _options() | {"algorithm": "URDNA2015", "format": "application/n-quads"}
    result: str = _process(jsonld.normalize, copy.deepcopy(document), options)
    return result


def reference_check_fully_defined(document: dict[str, Any]) -> None:
    """``check_fully_defined`` by pyld alone (expansion, then a compaction round trip)."""
    _guard_size(document)
    if "@context" not in document:
        raise JsonLdError("The document has no @context.")
    expanded = _process(jsonld.expand, copy.deepcopy(document), _options())
    for key, where in _expanded_terms(expanded):
        if key.startswith(UNDEFINED_VOCAB):
            term = key[len(UNDEFINED_VOCAB):]
            raise JsonLdError(
                f"{term!r} ({where}) is not defined by any of the document's contexts; it "
                "would not be signed as meant."
            )
        if not _SCHEME.match(key) and not key.startswith("_:"):
            raise JsonLdError(f"{key!r} ({where}) is not an absolute IRI.")
    compacted = _process(jsonld.compact, expanded, {"@context": document["@context"]},
                         _options())
    have = set(_paths(compacted))
    for path in _paths(document):
        if path not in have:
            shown = ".".join(path)
            raise JsonLdError(
                f"'{shown}' disappears when the document is read as JSON-LD (a term no "
                "context defines, or a value of the wrong kind); it would not be signed."
            )


def _expanded_terms(node: Any, where: str = "document") -> Iterator[tuple[str, str]]:
    if isinstance(node, list):
        for item in node:
            yield from _expanded_terms(item, where)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "@id" and isinstance(value, str):
            yield value, f"an id in {where}"
        elif key == "@type" and "@value" not in node:
            for kind in value if isinstance(value, list) else [value]:
                yield kind, f"a type in {where}"
        elif key in ("@value", "@language", "@direction", "@index"):
            continue
        elif not key.startswith("@"):
            yield key, f"a property in {where}"
            yield from _expanded_terms(value, key.rsplit("#", 1)[-1].rsplit("/", 1)[-1])
        else:
            yield from _expanded_terms(value, where)


def _paths(node: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Key paths of a JSON document, list positions ignored, "@context" left out."""
    if isinstance(node, list):
        for item in node:
            yield from _paths(item, prefix)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@context" or value is None:
                continue
            if key in ("id", "@id") and len(node) == 1 and prefix:
                continue  # a reference {"id": X} compacts to the plain string X
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))


# ---------------------------------------------------------------------------------------
# The fast path.
#
# pyld is the reference, and slow: expanding one credential with the Open Badges contexts
# costs ~20 ms, mostly reprocessing scoped contexts. Credentials as Assessor builds them use
# a small part of JSON-LD: the pinned contexts, node objects, strings, booleans and integers,
# terms coerced to @id, @vocab or a datatype. For exactly that part the expansion below
# follows pyld's algorithm step for step, with pyld's own context processing (memoized per
# active context), and converts to RDF directly. Anything outside it (an embedded context,
# a keyword such as @value or @graph, a list or JSON container, a float, an undefined or
# colliding term, a relative or blank-node id...) is not handled here: the reference path
# runs instead and decides, with its own messages. So the fast path never refuses anything
# and never accepts what the reference check would refuse; tests compare both on the OB 3.0
# vector and on generated documents.
# ---------------------------------------------------------------------------------------


class _Unsupported(Exception):
    """Outside the fast path's part of JSON-LD: use the reference path."""


_ABSOLUTE = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")  # pyld's test, verbatim
_KEYWORD_LIKE = re.compile(r"^@[a-zA-Z]+$")
_PLAIN_SCALARS = (str, bool, int)
_MAX_CACHED_IRIS = 20_000
_MAX_CONTEXTS = 2_000
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF + "type"
RDF_LANGSTRING = RDF + "langString"
RDF_JSON = RDF + "JSON"


class _Active:
    """A pyld active context with what the fast path learned about it."""

    __slots__ = ("children", "ctx", "iris", "plans", "previous")

    def __init__(self, ctx: dict[str, Any]) -> None:
        self.ctx = ctx
        self.iris: dict[tuple[str, bool], str | None] = {}
        self.plans: dict[str, tuple[_Active, str | None]] = {}
        self.children: dict[tuple[int, bool, bool], tuple[Any, _Active]] = {}
        self.previous: _Active | None = None


class _FastProcessor:
    def __init__(self) -> None:
        self.processor = jsonld.JsonLdProcessor()
        self.options: dict[str, Any] = {
            "documentLoader": document_loader, "base": None, "isFrame": False,
            "keepFreeFloatingNodes": False, "processingMode": "json-ld-1.1",
            "contextResolver": ContextResolver(jsonld._resolved_context_cache,
                                               document_loader),
        }
        self.wrapped: dict[int, _Active] = {}
        self.top: dict[tuple[str, ...], _Active] = {}
        self.initial = self.wrap(self.processor._get_initial_context(self.options))

    def wrap(self, ctx: dict[str, Any]) -> _Active:
        found = self.wrapped.get(id(ctx))
        if found is None or found.ctx is not ctx:
            if len(self.wrapped) > _MAX_CONTEXTS:
                raise _Unsupported("too many distinct contexts")
            found = self.wrapped[id(ctx)] = _Active(ctx)
        return found

    def revert(self, active: _Active) -> _Active:
        if active.previous is None:
            previous = active.ctx.get("previousContext")
            if previous is None:
                return active
            active.previous = self.wrap(previous)
        return active.previous

    def apply(self, active: _Active, local: Any, *, propagate: bool = True,
              override_protected: bool = False) -> _Active:
        key = (id(local), propagate, override_protected)
        found = active.children.get(key)
        if found is not None and found[0] is local:
            return found[1]
        ctx = self.processor._process_context(
            active.ctx, local, self.options, override_protected=override_protected,
            propagate=propagate)
        result = self.wrap(ctx)
        active.children[key] = (local, result)
        return result

    def vocab_iri(self, active: _Active, value: str) -> str | None:
        found = active.iris.get((value, True), _MISSING)
        if found is _MISSING:
            found = self.processor._expand_iri(active.ctx, value, vocab=True, base=None)
            if len(active.iris) < _MAX_CACHED_IRIS:
                active.iris[(value, True)] = found
        return found  # type: ignore[no-any-return]

    def id_iri(self, active: _Active, value: str) -> str:
        expanded = self.processor._expand_iri(active.ctx, value, base=None)
        if not isinstance(expanded, str) or not _usable_iri(expanded):
            raise _Unsupported("relative, blank node or undefined id")
        return expanded

    # -- expansion, pyld's _expand / _expand_object restricted to the supported part --

    def expand_document(self, document: dict[str, Any]) -> list[dict[str, Any]]:
        contexts = document.get("@context")
        urls = tuple(contexts) if isinstance(contexts, list) else (contexts,)
        if not urls or not all(isinstance(u, str) and is_pinned(u)
                               for u in urls):
            raise _Unsupported("not only pinned contexts")
        active = self.top.get(urls)
        if active is None:
            ctx = self.processor._process_context(self.initial.ctx, contexts, self.options)
            active = self.top[urls] = self.wrap(ctx)
        node = self.expand_node(active, None, document)
        if not node or (len(node) == 1 and "@id" in node):
            return []
        return [node]

    def expand_node(self, active: _Active, property_: str | None,
                    element: dict[str, Any]) -> dict[str, Any]:
        """``element`` a node object; ``active`` as pyld's after the document context."""
        if property_ is not None:
            if "@context" in element:
                raise _Unsupported("embedded context")
            active = self.node_context(active, property_, element)
        active, type_scoped = self.type_scoped(active, element)
        result: dict[str, Any] = {}
        seen: set[str] = set()
        for key, value in sorted(element.items()):
            if key == "@context":
                continue
            expanded = self.vocab_iri(active, key)
            if expanded is None or expanded in seen:
                raise _Unsupported("dropped or colliding key")
            seen.add(expanded)
            if expanded == "@id":
                if not isinstance(value, str):
                    raise _Unsupported("id not a string")
                result["@id"] = self.id_iri(active, value)
            elif expanded == "@type":
                types = value if isinstance(value, list) else [value]
                result["@type"] = [self.type_iri(type_scoped, t) for t in types]
            else:
                values = self.expand_property(active, key, expanded, value)
                if values is not None:
                    result[expanded] = values
        return result

    def node_context(self, active: _Active, property_: str, element: dict[str, Any]) -> _Active:
        """pyld's revert of a type-scoped context, then the property-scoped context."""
        scoped = self.term(active, property_).get("@context")
        must_revert = True
        if active.ctx.get("previousContext") and len(element) <= 2:
            for key in sorted(element):
                expanded = self.vocab_iri(active, key)
                if expanded == "@value":
                    raise _Unsupported("value object")
                if expanded == "@id" and len(element) == 1:
                    must_revert = False
                    break
        if must_revert:
            active = self.revert(active)
        if scoped is not None:
            active = self.apply(active, scoped, override_protected=True)
        return active

    def type_scoped(self, active: _Active, element: dict[str, Any]) -> tuple[_Active, _Active]:
        """The context with the node's type-scoped contexts, and the one before them."""
        before = active
        type_key = None
        for key in sorted(element):
            if self.vocab_iri(active, key) != "@type":
                continue
            if type_key is not None:
                raise _Unsupported("two type keys")
            type_key = key
            value = element[key]
            types = value if isinstance(value, list) else [value]
            if not types or not all(isinstance(t, str) for t in types):
                raise _Unsupported("types not strings")
            for kind in sorted(types):
                scoped = self.term(before, kind).get("@context")
                if scoped is not None and scoped is not False:
                    active = self.apply(active, scoped, propagate=False)
        return active, before

    def expand_property(self, active: _Active, key: str, expanded: str,
                        value: Any) -> list[Any] | None:
        """The expanded values of one property, ``None`` for a null value (dropped)."""
        term_active, kind = self.plan(active, key, expanded)
        out: list[Any] = []
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            if isinstance(item, dict):
                if kind not in (None, "@id"):
                    raise _Unsupported("a node where a literal or vocabulary term is expected")
                out.append(self.expand_node(term_active, key, item))
            elif isinstance(item, _PLAIN_SCALARS):
                out.append(self.expand_scalar(term_active, kind, item))
            else:
                raise _Unsupported("list in list, float or other value")
        if not isinstance(value, list) and not out:
            return None
        return out

    def plan(self, active: _Active, key: str, expanded: str) -> tuple[_Active, str | None]:
        """For a property of a node in ``active``: the context of its values and the
        coercion of its scalars (``@id``, ``@vocab``, a datatype IRI or ``None``)."""
        found = active.plans.get(key)
        if found is not None:
            return found
        if not _usable_iri(expanded):
            raise _Unsupported("keyword, blank node, relative or undefined property")
        if key not in active.ctx["mappings"]:
            raise _Unsupported("not a term: compaction would write another key")
        term = self.term(active, key)
        _plain_term(term)
        scoped = term.get("@context")
        term_active = active if scoped is None else \
            self.apply(active, scoped, override_protected=True)
        inner = self.term(term_active, key)
        _plain_term(inner)
        if self.vocab_iri(term_active, key) in ("@id", "@type", "@graph") \
                or "@language" in term_active.ctx or "@direction" in term_active.ctx:
            raise _Unsupported("keyword property or default language")
        kind = inner.get("@type")
        if kind is not None and kind not in ("@id", "@vocab") and (
                not isinstance(kind, str) or not _usable_iri(kind)
                or kind in (XSD + "double", RDF_LANGSTRING, RDF_JSON)):
            raise _Unsupported("a datatype converted or written otherwise")
        found = active.plans[key] = (term_active, kind)
        return found

    def term(self, active: _Active, key: str) -> dict[str, Any]:
        mapping = active.ctx["mappings"].get(key)
        return mapping if mapping is not None else {}

    def type_iri(self, active: _Active, value: Any) -> str:
        if not isinstance(value, str):
            raise _Unsupported("type not a string")
        expanded = self.vocab_iri(active, value)
        if not isinstance(expanded, str) or not _usable_iri(expanded):
            raise _Unsupported("relative, blank node, keyword or undefined type")
        return expanded

    def expand_scalar(self, active: _Active, kind: str | None,
                      value: str | bool | int) -> dict[str, Any]:
        if kind == "@id" or kind == "@vocab":  # noqa: PLR1714 (faster than a tuple)
            if not isinstance(value, str):
                raise _Unsupported("not a string where an IRI is expected")
            if kind == "@id":
                return {"@id": self.id_iri(active, value)}
            return {"@id": self.type_iri(active, value)}
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**21:
            raise _Unsupported("integer written as a double")
        if kind is None:
            return {"@value": value}
        return {"@type": kind, "@value": value}


def _usable_iri(iri: str) -> bool:
    """Absolute for pyld, no blank node, not the VC "undefined term" vocabulary."""
    return _ABSOLUTE.match(iri) is not None and not iri.startswith(("_:", UNDEFINED_VOCAB))


def _plain_term(term: dict[str, Any]) -> None:
    if term.get("reverse") or term.get("@container") not in (None, ["@set"]) \
            or "@language" in term or "@direction" in term or "@nest" in term \
            or "@index" in term:
        raise _Unsupported("container, reverse, language or nested term")


_MISSING: Any = object()
_FAST: _FastProcessor | None = None


def _fast() -> _FastProcessor:
    global _FAST  # noqa: PLW0603
    if _FAST is None or len(_FAST.wrapped) > _MAX_CONTEXTS:
        _FAST = _FastProcessor()
    return _FAST


def _to_quads(nodes: list[dict[str, Any]]) -> list[Quad]:
    """RDF of expanded nodes from the fast path (no lists, graphs or languages in them)."""
    quads: list[Quad] = []
    counter = [0]

    def subject_of(node: dict[str, Any]) -> Term:
        if "@id" in node:
            return ("iri", node["@id"])
        counter[0] += 1
        return ("blank", f"b{counter[0]}")

    def emit(node: dict[str, Any], subject: Term) -> None:
        for kind in node.get("@type", ()):
            quads.append((subject, RDF_TYPE, ("iri", kind), None))
        for key, values in node.items():
            if key.startswith("@"):
                continue
            for value in values:
                obj: Term
                if "@value" in value:
                    obj = _literal(value["@value"], value.get("@type"))
                else:
                    obj = subject_of(value)
                    emit(value, obj)
                quads.append((subject, key, obj, None))

    for node in nodes:
        emit(node, subject_of(node))
    return quads


def _literal(value: str | bool | int, datatype: str | None) -> Term:
    if isinstance(value, bool):
        return ("literal", "true" if value else "false", datatype or XSD + "boolean", "")
    if isinstance(value, int):
        return ("literal", str(value), datatype or XSD + "integer", "")
    return ("literal", value, datatype or XSD + "string", "")


def _fast_expand(document: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The expanded form through the fast path, or ``None`` where it does not apply."""
    try:
        expanded = _fast().expand_document(document)
    except (_Unsupported, jsonld.JsonLdError, RecursionError):
        return None
    return expanded
