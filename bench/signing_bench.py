"""Data Integrity signing throughput: eddsa-rdfc-2022 proofs on realistic OB 3.0 credentials.

    python bench/signing_bench.py [--seconds S] [--runs R] [--quick] [--json FILE]

One core, one process, canonicalization included. Each figure is the median time of one
operation over R runs, each run as many operations as fit in S seconds; beside it:

- sign and verify a credential (target: at least 150 signs a second)
- the same against pure Ed25519 over the same bytes (what the cryptography alone costs)
- the same against the reference path of the same run: pyld alone, as signing was before
  (expand + compaction check, then pyld's URDNA2015 for document and proof options)

The credential is built by ``assessor.credentials.ob3.build_credential``: 10 rubric criteria
of 3 levels each, their results, 3 evidence files, 2 alignments, tags, an image, a status
entry and a did:web issuer (about 300 quads, some 40 blank nodes).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script: no embedded demo organisation in any child
    os.environ["ASSESSOR_DEMO"] = "0"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import Row, all_met, print_table, write_json  # noqa: E402

ISSUE = "#3"
TARGET_PER_SECOND = 150
ISSUER_DID = "did:web:hub.example.org"


def realistic_credential(n: int = 0, *, criteria: int = 10) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential as the app builds it for an approved submission."""
    from assessor.credentials.ob3 import IssuerProfile, StatusEntry, build_credential
    from assessor.domain.judgment import Judgment
    from assessor.domain.people import Learner
    from assessor.domain.review import ReviewSnapshot
    from assessor.domain.rubric import Criterion, PerformanceLevel, Rubric
    from assessor.domain.states import State
    from assessor.domain.submission import EvidenceItem, Submission
    from assessor.domain.template import Achievement, Alignment, CredentialTemplate

    now = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    levels = (("novice", "Novice", 0), ("competent", "Competent", 1), ("expert", "Expert", 2))
    rubric = Rubric("site-safety", 2, "Site Safety", tuple(
        Criterion(f"c{i}", f"Criterion {i}: hazards of kind {i}", f"What criterion {i} asks.",
                  tuple(PerformanceLevel(key, name, f"{name} work on criterion {i}.", points)
                        for key, name, points in levels),
                  "competent", weight=1.0 + i % 3)
        for i in range(criteria)))
    template = CredentialTemplate("site-safety", Achievement(
        "Site Safety", "Works safely on a construction site.",
        "Judged by an assessor against the Site Safety rubric.", image="images/safety.png",
        tags=("safety", "construction"),
        alignments=(Alignment("Hazard identification", "https://framework.example/skills/h1",
                              "National Occupational Standards", "H1"),
                    Alignment("Protective equipment", "https://framework.example/skills/p2"))),
        "site-safety", 2, validity_days=730)
    evidence = tuple(EvidenceItem(f"e{i}", f"evidence-{i}.pdf", "application/pdf", 2048 * i,
                                  hashlib.sha256(f"{n}-{i}".encode()).hexdigest(),
                                  f"Evidence file {i}") for i in range(3))
    submission = Submission(f"s-{n}", Learner(f"l-{n}", "Lee Learner", f"lee{n}@example.org"),
                            "site-safety", "site-safety", 2, 1, now, evidence=evidence,
                            state=State.APPROVED)
    judgments = {c.key: Judgment(submission.id, c.key, "expert" if i % 2 else "competent",
                                 "assessor", now)
                 for i, c in enumerate(rubric.criteria)}
    review = ReviewSnapshot(submission, template, rubric, judgments, (), ())
    return build_credential(
        review, IssuerProfile("Example Training Org", "https://org.example", id=ISSUER_DID),
        hub_url="https://hub.example.org", issued_at=now,
        status=StatusEntry("https://hub.example.org/status/1", 100 + n),
        credential_id=f"urn:uuid:00000000-0000-4000-8000-{n:012d}", salt=f"{n:032x}")


def per_op_seconds(action: Callable[[], object], seconds: float, runs: int) -> float:
    """Median seconds per call of ``action``, over ``runs`` runs of about ``seconds`` each."""
    action()  # warm caches (contexts, the offline loader)
    started = time.perf_counter()
    action()
    single = max(time.perf_counter() - started, 1e-7)
    count = max(3, int(seconds / single))
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        for _ in range(count):
            action()
        samples.append((time.perf_counter() - started) / count)
    return statistics.median(samples)


def run(seconds: float = 2.0, runs: int = 5) -> list[Row]:
    from unittest import mock

    from assessor.credentials import ed25519, jsonld, proof
    from assessor.credentials.multiformats import ed25519_multikey
    from assessor.credentials.signing import sign_credential

    signer = ed25519.Ed25519Signer(bytes(range(32)), "bench")
    public = signer.public_key
    method = f"{ISSUER_DID}#{ed25519_multikey(public)}"
    credential = realistic_credential()
    signed = sign_credential(credential, signer)
    assert proof.verify_proof(signed, lambda _: public).valid
    data = proof.hash_data(signed, signed["proof"]).combined
    signature = signer.sign(data)

    def sign() -> None:
        sign_credential(credential, signer)

    def verify() -> None:
        if not proof.verify_proof(signed, lambda _: public).valid:
            raise RuntimeError("the benchmark credential does not verify")

    def raw_sign() -> None:
        signer.sign(data)

    def raw_verify() -> None:
        ed25519.verify(public, signature, data)

    def reference(action: Callable[[], None]) -> Callable[[], None]:
        """``action`` with canonicalization and checks by pyld alone, as before."""
        def run_reference() -> None:
            with mock.patch.object(jsonld, "_fast_expand", lambda document: None):
                action()
        return run_reference

    sign_s = per_op_seconds(sign, seconds, runs)
    verify_s = per_op_seconds(verify, seconds, runs)
    raw_sign_s = per_op_seconds(raw_sign, seconds, runs)
    raw_verify_s = per_op_seconds(raw_verify, seconds, runs)
    old_sign_s = per_op_seconds(reference(sign), seconds, runs)
    old_verify_s = per_op_seconds(reference(verify), seconds, runs)
    assert method == signed["proof"]["verificationMethod"]

    def rate(per_op: float) -> str:
        return f"{1 / per_op:,.0f}/s"

    target = f">= {TARGET_PER_SECOND}/s ({1000 / TARGET_PER_SECOND:.2f} ms)"
    return [
        Row(ISSUE, f"sign OB 3.0 credential, 1 core ({rate(sign_s)})", sign_s * 1000,
            f"pure Ed25519 sign ({rate(raw_sign_s)})", raw_sign_s * 1000, target,
            1 / sign_s >= TARGET_PER_SECOND),
        Row(ISSUE, "  the same", sign_s * 1000, f"pyld-only sign ({rate(old_sign_s)})",
            old_sign_s * 1000, "- (comparison)", None),
        Row(ISSUE, f"verify OB 3.0 credential, 1 core ({rate(verify_s)})", verify_s * 1000,
            f"pure Ed25519 verify ({rate(raw_verify_s)})", raw_verify_s * 1000,
            "- (printed, no target)", None),
        Row(ISSUE, "  the same", verify_s * 1000, f"pyld-only verify ({rate(old_verify_s)})",
            old_verify_s * 1000, "- (comparison)", None),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true",
                        help="runs of 0.1 s, 2 of each (a smoke test)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.runs = 0.1, 2
    rows = run(args.seconds, args.runs)
    print_table(rows)
    if args.json:
        write_json(rows, args.json)
    return 0 if all_met(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
