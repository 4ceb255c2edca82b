"""Hypothesis on credential parsing, verification and un-baking.

* Arbitrary JSON given to the verifier, and every mutation of a validly signed credential
  (a value changed, a key removed or added, a list grown or shrunk, the proof tampered
  with): verification fails with a readable reason, and nothing but ``ValidationError``
  (the documented error) is ever raised.
* Arbitrary and damaged files read as credentials (``read_credential``): JSON, PNG, SVG.
* PNG un-baking: truncated files, garbage and damaged chunks, huge declared lengths, a
  zlib bomb in a compressed ``iTXt``: a ``ValidationError`` within a time bound.
* SVG un-baking: XML bombs and external entities (also hidden in UTF-16, which the byte
  check could not see: fixed), CDATA tricks and comments inside the credential: a clear
  error or the exact credential, never an expanded entity, a read file or a connection.

Attack answered: malicious credentials and badge images handed to the verifier or to the
desktop (a forged or altered badge, an image built to exhaust memory or leak files).
"""

from __future__ import annotations

import copy
import json
import socket
import struct
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessor.credentials import ed25519
from assessor.credentials.baking import (
    MAX_CHUNK,
    PNG_SIGNATURE,
    bake_png,
    bake_svg,
    unbake,
    unbake_png,
    unbake_svg,
)
from assessor.credentials.files import read_credential
from assessor.credentials.multiformats import ed25519_multikey
from assessor.credentials.signing import sign_credential
from assessor.credentials.verify import VerificationReport, verify_credential
from assessor.errors import ValidationError
from tests.core.test_credential_checks import HUB_DID, unsigned

KEY = ed25519.Ed25519Signer(bytes(range(32)), "fuzz-key")
MULTIKEY = ed25519_multikey(KEY.public_key)
NOW = datetime(2026, 6, 1, tzinfo=UTC)
TIME_BOUND = 5.0
"""Seconds any one parse or verification may take on the shared 2-core machine."""
SECRET_MARKER = "SECRET-FILE-CONTENT-7f1e"
FUZZ = settings(max_examples=60, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


def _did_document() -> dict[str, Any]:
    method = f"{HUB_DID}#{MULTIKEY}"
    return {"@context": ["https://www.w3.org/ns/did/v1",
                         "https://w3id.org/security/multikey/v1"],
            "id": HUB_DID,
            "verificationMethod": [{"id": method, "type": "Multikey", "controller": HUB_DID,
                                    "publicKeyMultibase": MULTIKEY}],
            "assertionMethod": [method]}


SIGNED = sign_credential(unsigned(), KEY, created=datetime(2026, 1, 2, tzinfo=UTC))


class Guard:
    """Records any attempt to open a connection (and refuses it)."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    def refuse(self, *args: Any, **kwargs: Any) -> None:
        self.attempts.append(repr(args)[:200])
        raise OSError("network refused by the test")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[Guard]:
    guard = Guard()
    monkeypatch.setattr(socket.socket, "connect", guard.refuse)
    monkeypatch.setattr(socket, "create_connection", guard.refuse)
    yield guard
    assert guard.attempts == [], "a network connection was attempted"


def _verify(credential: Any) -> VerificationReport | ValidationError:
    """The report, or the documented error; anything else fails the test."""
    started = time.monotonic()
    try:
        return verify_credential(credential, documents=[_did_document()], now=NOW)
    except ValidationError as exc:
        assert str(exc).strip(), "a ValidationError without a message"
        return exc
    finally:
        assert time.monotonic() - started < TIME_BOUND


def _assert_refused(outcome: VerificationReport | ValidationError) -> None:
    if isinstance(outcome, ValidationError):
        return
    assert not outcome.ok, "a tampered or arbitrary credential verified"
    failed = [check for check in outcome.checks if not check.ok and not check.skipped]
    assert failed and all(check.detail.strip() for check in failed), outcome.lines()


def test_the_signed_credential_verifies(no_network: Guard) -> None:
    report = _verify(copy.deepcopy(SIGNED))
    assert isinstance(report, VerificationReport) and report.ok, report


# --- arbitrary JSON -------------------------------------------------------------------

SCALARS = st.none() | st.booleans() | st.integers(-(2**70), 2**70) \
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=25)
KNOWN_KEYS = st.sampled_from(["@context", "id", "type", "issuer", "validFrom", "validUntil",
                              "proof", "credentialSubject", "credentialStatus", "name"])


@FUZZ
@given(document=st.dictionaries(KNOWN_KEYS | st.text(max_size=10), JSON, max_size=8))
def test_arbitrary_json_never_verifies_and_never_crashes(document: dict[str, Any],
                                                         no_network: Guard) -> None:
    _assert_refused(_verify(document))


@FUZZ
@given(proof=st.dictionaries(st.sampled_from(["type", "cryptosuite", "verificationMethod",
                                              "proofValue", "created", "proofPurpose"]),
                             JSON | st.sampled_from(["DataIntegrityProof", "eddsa-rdfc-2022",
                                                     f"{HUB_DID}#{MULTIKEY}", "z3x",
                                                     "did:key:z6Mk"]), max_size=6))
def test_a_random_proof_on_a_real_credential_is_refused(proof: dict[str, Any],
                                                        no_network: Guard) -> None:
    _assert_refused(_verify({**unsigned(), "proof": proof}))


# --- mutations of a signed credential -------------------------------------------------

Path_ = tuple[str | int, ...]


def _paths(value: Any, prefix: Path_ = ()) -> list[Path_]:
    out: list[Path_] = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            out += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            out += _paths(inner, (*prefix, index))
    return out


ALL_PATHS = [p for p in _paths(SIGNED) if p]


def _parent(document: Any, path: Path_) -> Any:
    for step in path[:-1]:
        document = document[step]
    return document


def _changed(value: Any, data: st.DataObject) -> Any:
    """A different value: no mutation may leave the meaning as it was."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + data.draw(st.integers(1, 1000))
    if isinstance(value, str):
        edit = data.draw(st.sampled_from(["append", "drop", "replace", "case"]))
        if edit == "append" or not value:
            return value + data.draw(st.text(min_size=1, max_size=5))
        if edit == "drop":
            return value[:-1]
        if edit == "case" and value.swapcase() != value:
            return value.swapcase()
        position = data.draw(st.integers(0, len(value) - 1))
        replacement = data.draw(st.characters().filter(lambda c: c != value[position]))
        return value[:position] + replacement + value[position + 1:]
    if isinstance(value, list):
        return [*value, data.draw(SCALARS.filter(lambda v: v not in value))]
    if isinstance(value, dict):
        return {**value, data.draw(st.text(min_size=1, max_size=8).filter(
            lambda k: k not in value and not k.startswith("@"))): "added"}
    return "was null"


@FUZZ
@given(path=st.sampled_from(ALL_PATHS), how=st.sampled_from(["change", "remove", "retype"]),
       data=st.data())
def test_every_mutation_of_a_signed_credential_fails_verification(
        path: Path_, how: str, data: st.DataObject, no_network: Guard) -> None:
    document = copy.deepcopy(SIGNED)
    parent = _parent(document, path)
    key = path[-1]
    if how == "remove":
        if isinstance(parent, list) and len(parent) == 1:
            parent[0] = "replaced"  # an empty list may be the same as no value
        else:
            del parent[key]
    elif how == "retype":
        original = parent[key]
        parent[key] = data.draw(JSON.filter(lambda v: v != original and v not in (
            [original], {"id": original})))
    else:
        parent[key] = _changed(parent[key], data)
    if document == SIGNED:
        return  # e.g. a list whose only element was dropped and put back: nothing changed
    _assert_refused(_verify(document))


def test_a_term_no_context_defines_added_to_the_proof_is_refused(no_network: Guard) -> None:
    """Found by the fuzz: the proof options were canonicalised without the fully-defined
    check, so an undefined term was dropped from what is signed and anything could be
    added to a proof of a credential that still verified."""
    document = copy.deepcopy(SIGNED)
    document["proof"]["madeUpTerm"] = "text nobody signed"
    report = _verify(document)
    assert isinstance(report, VerificationReport) and not report.ok
    [proof] = [check for check in report.checks if check.name == "proof"]
    assert not proof.ok and "madeUpTerm" in proof.detail


def test_a_relative_context_iri_is_a_clear_refusal(no_network: Guard) -> None:
    """Found by the fuzz: pyld's ValueError for a relative @context IRI escaped."""
    for context in ("0", "../a", ["https://www.w3.org/ns/credentials/v2", "x"]):
        document = copy.deepcopy(SIGNED)
        document["@context"] = context
        _assert_refused(_verify(document))


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255)), min_size=1,
                      max_size=4))
def test_flipped_bytes_in_the_proof_value_fail(flips: list[tuple[int, int]],
                                               no_network: Guard) -> None:
    document = copy.deepcopy(SIGNED)
    value = bytearray(document["proof"]["proofValue"].encode("ascii"))
    for position, bits in flips:
        value[position % len(value)] ^= bits
    mutated = value.decode("latin-1")
    if mutated == SIGNED["proof"]["proofValue"]:
        return
    document["proof"]["proofValue"] = mutated
    _assert_refused(_verify(document))


# --- files read as credentials --------------------------------------------------------

def _read(tmp_path: Path, data: bytes) -> dict[str, Any] | ValidationError:
    path = tmp_path / "credential.bin"
    path.write_bytes(data)
    started = time.monotonic()
    try:
        return read_credential(path)
    except ValidationError as exc:
        assert str(exc).strip()
        return exc
    finally:
        assert time.monotonic() - started < TIME_BOUND


@FUZZ
@given(data=st.binary(max_size=300) | st.builds(
    lambda head, tail: head + tail,
    st.sampled_from([PNG_SIGNATURE, b"<svg", b"<?xml version='1.0'?><svg", b"{", b"\xef\xbb\xbf{",
                     b"\xff\xfe<\x00s\x00v\x00g\x00"]),
    st.binary(max_size=300)))
def test_arbitrary_bytes_read_as_a_credential_give_a_clear_error(
        data: bytes, tmp_path: Path, no_network: Guard) -> None:
    outcome = _read(tmp_path, data)
    if isinstance(outcome, dict):  # it happened to be a JSON object: verification refuses
        _assert_refused(_verify(outcome))


# --- PNG ------------------------------------------------------------------------------

def _chunk(kind: bytes, data: bytes, *, length: int | None = None) -> bytes:
    return (struct.pack(">I", len(data) if length is None else length) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _png(*chunks: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0\xff\x00\x00")
    return (PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels)
            + b"".join(chunks) + _chunk(b"IEND", b""))


BAKED_PNG = bake_png(_png(), SIGNED)


def _unbaked(function: Any, data: bytes) -> dict[str, Any] | ValidationError:
    started = time.monotonic()
    try:
        result: dict[str, Any] = function(data)
        return result
    except ValidationError as exc:
        assert str(exc).strip()
        return exc
    finally:
        assert time.monotonic() - started < TIME_BOUND


@FUZZ
@given(cut=st.integers(0, len(BAKED_PNG) - 1))
def test_a_truncated_baked_png_is_refused(cut: int) -> None:
    outcome = _unbaked(unbake_png, BAKED_PNG[:cut])
    assert isinstance(outcome, ValidationError)


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(8, len(BAKED_PNG) - 1), st.integers(1, 255)),
                      min_size=1, max_size=6))
def test_damaged_bytes_in_a_baked_png_give_a_clear_error(edits: list[tuple[int, int]]) -> None:
    data = bytearray(BAKED_PNG)
    for position, bits in edits:
        data[position] ^= bits
    outcome = _unbaked(unbake, bytes(data))
    if isinstance(outcome, dict):  # damage outside the credential's chunk and its CRC
        assert outcome == SIGNED


ITXT_PAYLOADS = st.one_of(
    st.binary(max_size=200),
    st.builds(lambda rest: b"openbadgecredential\0" + rest, st.binary(max_size=200)),
    st.builds(lambda flag, rest: b"openbadgecredential\0" + bytes([flag, 0]) + rest,
              st.integers(0, 255), st.binary(max_size=200)),
    st.builds(lambda rest: b"openbadgecredential\0\x01\x00\0\0" + zlib.compress(rest),
              st.binary(max_size=200)),
)


@FUZZ
@given(payload=ITXT_PAYLOADS, length=st.none() | st.sampled_from(
    [0, 1, 2**31 - 1, 2**32 - 1, MAX_CHUNK, MAX_CHUNK + 1]))
def test_garbage_itxt_chunks_and_impossible_lengths_give_a_clear_error(
        payload: bytes, length: int | None) -> None:
    outcome = _unbaked(unbake_png, _png(_chunk(b"iTXt", payload, length=length)))
    assert isinstance(outcome, ValidationError | dict)
    if isinstance(outcome, dict):
        assert length is None  # only a well-formed chunk can hold a credential


def test_a_zlib_bomb_in_a_compressed_itxt_is_refused_quickly() -> None:
    bomb = zlib.compress(b"{" + b" " * (MAX_CHUNK * 3) + b"}", 9)
    outcome = _unbaked(unbake_png, _png(_chunk(
        b"iTXt", b"openbadgecredential\0\x01\x00\0\0" + bomb)))
    assert isinstance(outcome, ValidationError)
    assert "sane size" in str(outcome)


@pytest.mark.parametrize(("payload", "message"), [
    (b"openbadgecredential\0\x00\x00no-separators", "not"),
    (b"openbadgecredential\0\x00\x00\0\0\xff\xfe not utf-8", "UTF-8"),
    (b"openbadgecredential\0\x01\x00\0\0this is not zlib", "compressed"),
])
def test_broken_itxt_fields_name_what_is_wrong(payload: bytes, message: str) -> None:
    """Found by the fuzz: these raised ValueError, UnicodeDecodeError and zlib.error."""
    outcome = _unbaked(unbake_png, _png(_chunk(b"iTXt", payload)))
    assert isinstance(outcome, ValidationError)
    assert message in str(outcome)


# --- SVG ------------------------------------------------------------------------------

NS = "https://purl.imsglobal.org/ob/v3p0"
SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
       b'viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>\n')


def _svg_with(inner: str, doctype: str = "") -> str:
    return (f'<?xml version="1.0"?>{doctype}<svg xmlns="http://www.w3.org/2000/svg" '
            f'xmlns:openbadges="{NS}"><openbadges:credential>{inner}'
            "</openbadges:credential></svg>")


def _hostile_doctypes(secret: Path) -> list[str]:
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    return [
        f'<!DOCTYPE svg [<!ENTITY l0 "lol">{laughs}]>',
        f'<!DOCTYPE svg [<!ENTITY x SYSTEM "file://{secret}">]>',
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "http://127.0.0.1:9/steal">]>',
        f'<!DOCTYPE svg SYSTEM "file://{secret}">',
        '<!DOCTYPE svg [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>',
    ]


ENCODINGS = ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_xml_bombs_and_external_entities_are_refused_in_any_encoding(
        encoding: str, tmp_path: Path, no_network: Guard) -> None:
    """UTF-16/32 hid the DOCTYPE from the byte check and the entities were expanded (found
    by this test): the SVG is now read as UTF-8 text only."""
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET_MARKER, encoding="utf-8")
    for doctype in _hostile_doctypes(secret):
        for inner in ('{"name": "&l9;"}', '{"name": "&x;"}', '{"a": 1}'):
            data = _svg_with(inner, doctype).encode(encoding)
            for function in (unbake_svg, unbake):
                outcome = _unbaked(function, data)
                assert isinstance(outcome, ValidationError), (encoding, doctype, outcome)
                assert SECRET_MARKER not in str(outcome)
                assert "lollol" not in str(outcome)


def test_the_doctype_message_says_why(no_network: Guard) -> None:
    outcome = _unbaked(unbake_svg, _svg_with('{"a": 1}', "<!DOCTYPE svg>").encode())
    assert isinstance(outcome, ValidationError)
    assert "DOCTYPE" in str(outcome)
    utf16 = _unbaked(unbake_svg, _svg_with('{"a": 1}').encode("utf-16"))
    assert isinstance(utf16, ValidationError)
    assert "UTF-8" in str(utf16)


CREDENTIAL_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)


@FUZZ
@given(name=CREDENTIAL_TEXT, extra=st.dictionaries(st.text(max_size=8), CREDENTIAL_TEXT,
                                                   max_size=3))
def test_any_credential_text_survives_baking_both_ways(name: str,
                                                       extra: dict[str, str]) -> None:
    """CDATA terminators, XML-special and odd characters in the credential come back
    exactly; what XML cannot hold is refused with a clear error, never half-read."""
    credential = {**extra, "name": f"]]>{name}<![CDATA[", "id": "urn:uuid:1"}
    assert unbake_png(bake_png(_png(), credential)) == credential
    outcome = _unbaked(unbake_svg, bake_svg(SVG, credential))
    assert outcome == credential or isinstance(outcome, ValidationError)


@FUZZ
@given(pieces=st.lists(st.sampled_from([
    "<![CDATA[", "]]>", "<!-- c -->", "<?pi x?>", "&amp;", "&lt;", "&#x41;", "&#0;",
    '{"a": 1}', "{", "}", '"', "<x/>", "<![CDATA[{]]>", "]]]]><![CDATA[>"]), max_size=8))
def test_cdata_comment_and_markup_tricks_give_the_text_or_a_clear_error(
        pieces: list[str], no_network: Guard) -> None:
    inner = "".join(pieces)
    outcome = _unbaked(unbake_svg, _svg_with(inner).encode())
    if isinstance(outcome, dict):
        json.dumps(outcome)  # a plain JSON object, nothing else


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255)), min_size=1,
                      max_size=6))
def test_damaged_baked_svg_gives_the_credential_or_a_clear_error(
        edits: list[tuple[int, int]], no_network: Guard) -> None:
    data = bytearray(bake_svg(SVG, SIGNED))
    for position, bits in edits:
        data[position % len(data)] ^= bits
    outcome = _unbaked(unbake, bytes(data))
    if isinstance(outcome, dict) and outcome != SIGNED:
        _assert_refused(_verify(outcome))
