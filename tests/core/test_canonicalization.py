"""The fast canonicalization path gives exactly pyld's output, or steps aside.

pyld stays the reference: the fast expansion must equal ``pyld.jsonld.expand``, its canonical
N-Quads must equal pyld's URDNA2015 byte for byte, and it may only accept a document the
reference check accepts. RDFC-1.0 itself is checked against pyld on random datasets with
many indistinguishable blank nodes (the N-degree algorithm).
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.control import _current_build_context
from hypothesis.control import event as hypothesis_event
from pyld import jsonld as pyld

from assessor.credentials import jsonld
from assessor.credentials.contexts import OB_EXTENSIONS, OB_V3P0, VC_V2, document_loader
from assessor.credentials.rdfc import (
    XSD_STRING,
    CanonicalizationError,
    Quad,
    Term,
    canonicalize,
    quad_nquads,
)
from assessor.errors import ValidationError
from bench.signing_bench import realistic_credential

VECTOR = (Path(__file__).resolve().parents[1] / "data" / "ob3-vectors"
          / "1edtech-ob3-ldp-test-vector.signed.json")
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def event(name: str) -> None:
    if _current_build_context.value is not None:
        hypothesis_event(name)


def reference_expand(document: dict[str, Any]) -> Any:
    return pyld.expand(copy.deepcopy(document), {"documentLoader": document_loader,
                                                 "base": None})


def reference_accepts(document: dict[str, Any]) -> bool:
    try:
        jsonld.reference_check_fully_defined(document)
    except ValidationError:
        return False
    return True


def assert_same_as_reference(document: dict[str, Any]) -> bool:
    """Whether the fast path took ``document``; if it did, it agrees with pyld."""
    expanded = jsonld._fast_expand(document)
    if expanded is None:
        event("reference path")
        return False
    event("fast path")
    assert expanded == reference_expand(document)
    assert reference_accepts(document)
    canonical = jsonld.canonical_nquads(document)
    assert canonical == jsonld.reference_canonical_nquads(document)
    assert jsonld.checked_canonical_nquads(document) == canonical
    return True


def test_the_spec_vector_takes_the_fast_path_and_matches_pyld() -> None:
    signed = json.loads(VECTOR.read_text(encoding="utf-8"))
    proof = signed.pop("proof")
    assert assert_same_as_reference(signed)
    config = {k: v for k, v in proof.items() if k != "proofValue"} | {
        "@context": signed["@context"]}
    assert assert_same_as_reference(config)


def test_a_realistic_credential_takes_the_fast_path_and_matches_pyld() -> None:
    credential = realistic_credential()
    assert assert_same_as_reference(credential)
    assert credential["credentialSubject"]["result"]  # ~10 results, evidence, alignments
    assert len(jsonld.canonical_nquads(credential).splitlines()) > 250


# -- generated documents ------------------------------------------------------------------

TEXT = st.text(st.sampled_from(list("ab Zé\t\n\r\"\\<>_:#/ü😀")), max_size=6)
IRIS = st.sampled_from([
    "https://example.org/a", "https://example.org/b", "urn:uuid:1", "did:example:123",
    "did:web:hub.example.org#key-1", "relative/path", "_:b0", "https://example.org/a b",
    "https://www.w3.org/ns/credentials/issuer-dependent#x", "@id", "mailto:x@example.org",
])
TYPES = st.sampled_from([
    "Achievement", "AchievementSubject", "Result", "ResultDescription",
    "RubricCriterionLevel", "Alignment", "Evidence", "IdentityObject", "Image", "Profile",
    "Criteria", "BitstringStatusListEntry", "EndorsementCredential", "UnknownType",
    "https://example.org/SomeType",
])
KEYS = st.sampled_from([
    "name", "description", "narrative", "achievedLevel", "resultDescription",
    "requiredLevel", "rubricCriterionLevel", "points", "targetName", "targetUrl",
    "targetFramework", "genre", "digestMultibase", "identityHash", "identityType", "hashed",
    "salt", "tag", "image", "url", "email", "achievement", "criteria", "result", "alignment",
    "value", "status", "creditsAvailable", "version", "resultType", "achievementType",
    "favouriteColour", "https://schema.org/name", "@value", "@list", "inLanguage",
    "validFrom", "identifier",
])
SCALARS = st.one_of(TEXT, IRIS, st.booleans(), st.integers(-5, 10**22), st.none(),
                    st.floats(allow_nan=False, allow_infinity=False))


def nodes(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    values: st.SearchStrategy[Any] = SCALARS
    if depth > 0:
        child = nodes(depth - 1)
        values = st.one_of(SCALARS, child, st.lists(st.one_of(SCALARS, child), max_size=3))
    head = st.fixed_dictionaries({}, optional={
        "id": IRIS, "type": st.one_of(TYPES, st.lists(TYPES, max_size=3))})
    return st.builds(lambda a, b: {**b, **a}, head,
                     st.dictionaries(KEYS, values, max_size=4))


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    subject = draw(nodes(2))
    subject.setdefault("type", ["AchievementSubject"])
    return {
        "@context": [VC_V2, OB_V3P0] + draw(st.sampled_from([[], [OB_EXTENSIONS]])),
        "id": draw(IRIS),
        "type": draw(st.sampled_from([["VerifiableCredential", "OpenBadgeCredential"],
                                      ["VerifiableCredential"], "VerifiableCredential"])),
        "issuer": draw(st.one_of(IRIS, nodes(1))),
        "credentialSubject": subject,
        **draw(st.dictionaries(st.sampled_from(["name", "validFrom", "description",
                                                "evidence", "awardedDate"]),
                               st.one_of(SCALARS, nodes(1)), max_size=3)),
    }


@SETTINGS
@given(documents())
def test_generated_documents_match_pyld_or_take_the_reference_path(document) -> None:
    assert_same_as_reference(document)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "@context":
                found.append((*prefix, key))
                found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append((*prefix, index))
            found.extend(_paths(value, (*prefix, index)))
    return found


@st.composite
def mutated_credentials(draw: st.DrawFn) -> dict[str, Any]:
    """The realistic credential with a few random edits: most stay on the fast path."""
    document = realistic_credential(draw(st.integers(0, 3)), criteria=draw(st.integers(1, 4)))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(document)
        path = draw(st.sampled_from(paths))
        parent: Any = document
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        action = draw(st.sampled_from(["drop", "scalar", "node", "copy", "twin", "strip id"]))
        if action == "drop":
            del parent[last]
        elif action == "scalar":
            parent[last] = draw(SCALARS)
        elif action == "node":
            parent[last] = draw(nodes(1))
        elif action == "copy" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))  # identical siblings: blank node ties
        elif action == "twin" and isinstance(parent[last], list) and parent[last]:
            parent[last].extend(copy.deepcopy(parent[last]))
        elif action == "strip id" and isinstance(parent[last], dict):
            parent[last].pop("id", None)
    return document


@SETTINGS
@given(mutated_credentials())
def test_edited_credentials_match_pyld_or_take_the_reference_path(document) -> None:
    assert_same_as_reference(document)


@pytest.mark.parametrize("change", [
    lambda c: c.update(favouriteColour="blue"),
    lambda c: c["credentialSubject"].update(shoeSize=42),
    lambda c: c.update(id="relative/credential"),
    lambda c: c["credentialSubject"]["achievement"].update(id="_:b1"),
    lambda c: c.update(validFrom={"id": "urn:x"}),
    lambda c: c.update({"https://schema.org/name": "x"}),
    lambda c: c["credentialSubject"].update(result=[{"@value": "x"}]),
    lambda c: c.update({"@context": [VC_V2, OB_V3P0, {"@vocab": "https://evil.example/#"}]}),
    lambda c: c["credentialSubject"]["achievement"].update(creditsAvailable=1.5),
])
def test_what_the_fast_path_does_not_know_goes_to_the_reference(change) -> None:
    document = realistic_credential()
    change(document)
    assert jsonld._fast_expand(document) is None


# -- RDFC-1.0 on random datasets ----------------------------------------------------------

BLANKS = [f"n{i}" for i in range(6)]


def term_strategy(allow_literal: bool) -> st.SearchStrategy[Term]:
    options: list[st.SearchStrategy[Term]] = [
        st.sampled_from([("iri", "https://e.org/x"), ("iri", "https://e.org/y")]),
        st.sampled_from([("blank", b) for b in BLANKS]),
    ]
    if allow_literal:
        options.append(st.builds(lambda text, kind: ("literal", text, kind, ""), TEXT,
                                 st.sampled_from([XSD_STRING, "https://e.org/dt"])))
        options.append(st.just(("literal", "hi", "", "en")))
    return st.one_of(*options)


QUADS = st.lists(st.tuples(
    term_strategy(False), st.sampled_from(["https://e.org/p", "https://e.org/q"]),
    term_strategy(True),
    st.one_of(st.none(), st.none(), term_strategy(False))), max_size=14)


def reference_canonical(quads: list[Quad]) -> str:
    text = "".join(quad_nquads(q) for q in quads)
    return str(pyld.normalize(text, {"algorithm": "URDNA2015",
                                     "inputFormat": "application/n-quads",
                                     "format": "application/n-quads"}))


def _fix_language(quads: list[Any]) -> list[Quad]:
    return [tuple(("literal", t[1], "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                   t[3]) if t is not None and t[0] == "literal" and t[3] else t
                  for t in quad) for quad in quads]  # type: ignore[misc]


@settings(max_examples=300, deadline=None)
@given(QUADS)
def test_rdfc_matches_pyld_on_random_datasets(quads) -> None:
    quads = _fix_language(quads)
    assert canonicalize(quads) == reference_canonical(quads)


def ring(names: list[str], predicate: str = "https://e.org/p") -> list[Quad]:
    return [(("blank", a), predicate, ("blank", b), None)
            for a, b in zip(names, names[1:] + names[:1], strict=True)]


@pytest.mark.parametrize("quads", [
    pytest.param(ring(["a", "b", "c"]) + ring(["d", "e", "f"]), id="two identical rings"),
    pytest.param(ring(["a", "b", "c", "d", "e", "f"]), id="one ring of six"),
    pytest.param(ring(["a", "b"]) + ring(["c", "d"]) + ring(["a", "c"], "https://e.org/q"),
                 id="linked pairs"),
    pytest.param([(("blank", "r"), "https://e.org/p", ("blank", f"c{i}"), ("blank", "g"))
                  for i in range(4)], id="star in a blank graph"),
])
def test_rdfc_matches_pyld_on_symmetric_graphs(quads) -> None:
    assert canonicalize(quads) == reference_canonical(quads)


def test_too_many_indistinguishable_blank_nodes_are_refused_quickly() -> None:
    stars = []
    for centre in ("s1", "s2"):
        stars += [(("blank", centre), "https://e.org/p", ("blank", f"{centre}-{i}"), None)
                  for i in range(9)]
    started = time.perf_counter()
    with pytest.raises(CanonicalizationError):
        canonicalize(stars)
    assert time.perf_counter() - started < 10
