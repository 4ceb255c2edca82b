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

from assessor.credentials.contexts import document_loader
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


def canonical_nquads(document: dict[str, Any]) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0, the algorithm pyld names URDNA2015)."""
    _guard_size(document)
    options = _options() | {"algorithm": "URDNA2015", "format": "application/n-quads"}
    result: str = _process(jsonld.normalize, copy.deepcopy(document), options)
    return result


def check_fully_defined(document: dict[str, Any]) -> None:
    """Raise ``JsonLdError`` unless every part of ``document`` survives JSON-LD expansion."""
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
