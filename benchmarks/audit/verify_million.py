"""``medcore audit verify`` over 1,000,000 events (target: <= 30 s).

    python -m benchmarks.audit.verify_million [--events 1000000]

Seeds one organization's trail with a fast path that still computes a valid chain (the
domain's own encoding and hashes, written with COPY), signs a checkpoint at its head, then
times the VerifyAuditTrail use case (what the CLI runs) from the start of the chain.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from benchmarks.audit.common import (
    container,
    dsn,
    fresh_database,
    machine_state,
    organization,
    start_postgres,
    write_result,
)

DATABASE = "audit_verify"
ACTIONS = ("patient.read", "patient.list", "consultation.read", "appointment.create", "prescription.read")


def seed(organization_id: UUID, events: int, key: bytes) -> float:
    """Append ``events`` chained events after the organization's head; seconds taken."""
    import psycopg

    from medcore.domain.audit.chain import ChainFields, canonical_instant, keyed_digest, link_hash

    began = time.perf_counter()
    with psycopg.connect(dsn(DATABASE)) as conn:
        sequence, prev = conn.execute(
            "SELECT sequence, hash FROM audit_heads WHERE organization_id = %s FOR UPDATE", (organization_id,)
        ).fetchone()  # type: ignore[misc]
        start = datetime(2025, 1, 1, tzinfo=UTC)
        actors = [uuid4() for _ in range(50)]
        patients = [uuid4() for _ in range(5000)]
        ip_digest = keyed_digest(key, "192.0.2.44")
        ua_digest = keyed_digest(key, "medcore-benchmark/1")
        columns = (
            "organization_id, sequence, id, occurred_at, created_at, actor_type, actor_id, actor_role, action, outcome, "
            "resource_type, resource_id, patient_id, purpose, ip, user_agent, request_id, details, ip_digest, "
            "user_agent_digest, hash_version, prev_hash, hash"
        )
        org = str(organization_id)
        with conn.cursor().copy(f"COPY audit_events ({columns}) FROM STDIN") as copy:  # type: ignore[arg-type]
            for n in range(events):
                sequence += 1
                at = canonical_instant(start + timedelta(milliseconds=n * 37))
                actor = str(actors[n % len(actors)])
                patient = str(patients[(n * 7919) % len(patients)])
                details = {"self": False, "n": n % 97}
                fields = ChainFields(
                    org, sequence, str(uuid4()), at, at, "user", actor, "practitioner", ACTIONS[n % len(ACTIONS)],
                    "success", "patient", patient, patient, None, ip_digest, ua_digest, f"req-{n}", details,
                )  # fmt: skip
                digest = link_hash(fields, prev)
                copy.write_row(
                    (
                        org, sequence, fields.id, at, at, "user", actor, "practitioner", fields.action, "success",
                        "patient", patient, patient, None, "192.0.2.44", "medcore-benchmark/1", fields.request_id,
                        f'{{"self": false, "n": {n % 97}}}', ip_digest, ua_digest, 1, prev, digest,
                    )
                )  # fmt: skip
                prev = digest
        conn.execute(
            "UPDATE audit_heads SET sequence = %s, hash = %s WHERE organization_id = %s",
            (sequence, prev, organization_id),
        )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE audit_events")
    return time.perf_counter() - began


async def main(events: int) -> dict[str, Any]:
    from benchmarks.audit.common import SECRET_KEY
    from medcore.adapters.security.audit_digests import audit_digest_key

    start_postgres()
    built = container(fresh_database(DATABASE))
    try:
        actor = await organization(built, "verify")
        seconds_seeding = seed(actor.organization_id, events, audit_digest_key(SECRET_KEY.encode()))
        await built.use_cases.create_audit_checkpoints().execute([actor.organization_id])
        verifier = built.use_cases.verify_audit_trail()
        state = machine_state()
        began, began_cpu = time.perf_counter(), time.process_time()
        report = await verifier.verify(actor.organization_id)
        seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - began_cpu
        assert report.intact, report.findings
        began = time.perf_counter()
        quick = await verifier.verify(actor.organization_id, from_checkpoint=True)
        assert quick.intact
        quick_seconds = time.perf_counter() - began
    finally:
        await built.gateways.engine().dispose()
    return {
        "events": report.events_checked,
        "checkpoints": report.checkpoints_checked,
        "verify_seconds": round(seconds, 2),
        "python_cpu_seconds": round(cpu_seconds, 2),
        "events_per_second": round(report.events_checked / seconds),
        "from_checkpoint_seconds": round(quick_seconds, 3),
        "seeding_seconds": round(seconds_seeding, 1),
        "machine": state,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    result = asyncio.run(main(args.events))
    write_result("verify_million", result)
    print({k: v for k, v in result.items() if k != "machine"})
