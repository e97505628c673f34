"""Audit trail figures: append overhead, intake throughput with audit on/off, verify rate.

    python -m bench.audit_bench                       # SQLite or DATABASE_URL, 100k records
    DATABASE_URL=postgres://... python -m bench.audit_bench --records 10000000

Prints figures and ratios measured in the same run; asserts nothing. Uses its own
database (``bench_audit_<pid>``; a temporary file on SQLite) and drops it after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable


def _setup(database_url: str | None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toegang.settings.test")
    if not (database_url and database_url.startswith("postgres")):
        return lambda: None  # test settings put SQLite in a fresh temporary directory
    import psycopg

    name = f"bench_audit_{os.getpid()}"
    base, _, _ = database_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{base}/{name}"

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return drop


def _django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _intake_once(with_audit: bool, i: int, actor) -> float:
    """Seconds of one simulated intake: three lookups (user, matching), two writes and
    an outbox-like insert, plus one audit record when ``with_audit``, and the commit.
    A real intake also encrypts."""
    from django.db import transaction

    from audit.models import Actie, Doel
    from audit.services import record
    from toegang.models import Organisatie

    start = time.perf_counter()
    with transaction.atomic():
        Organisatie.objects.filter(pk=actor.organisatie_id).exists()
        Organisatie.objects.filter(naam=f"match-{i}").first()
        Organisatie.objects.filter(buurt=f"b{i % 50}", soort="overig").exists()
        org = Organisatie.objects.create(naam=f"bench-{uuid.uuid4().hex}", soort="overig")
        Organisatie.objects.filter(pk=org.pk).update(buurt=f"b{i % 50}")
        Organisatie.objects.create(naam=f"outbox-{uuid.uuid4().hex}", soort="overig")
        if with_audit:
            record(
                actor=actor,
                actie=Actie.CREATE,
                doel=Doel.INTAKE,
                object_type="signaal",
                object_id=org.pk,
                huishouden_id=uuid.uuid4(),
                persoon_ids=[uuid.uuid4()],
                velden=["naam", "toelichting"],
            )
    return time.perf_counter() - start


def _intake(n: int, actor) -> tuple[float, float]:
    """Median seconds per intake without and with the audit record, the two
    alternating transaction by transaction (so load changes on a shared machine hit
    both alike)."""
    off: list[float] = []
    on: list[float] = []
    for i in range(n):
        first, second = (off, on) if i % 2 else (on, off)
        first.append(_intake_once(first is on, 2 * i, actor))
        second.append(_intake_once(second is on, 2 * i + 1, actor))
    return statistics.median(off), statistics.median(on)


def _append_overhead(n: int, actor) -> dict[str, float]:
    """Median µs per call, in one transaction, interleaved rounds: ``record`` (now),
    the ORM ``create`` of the same record (``record`` before it had its own INSERT),
    and ``SELECT 1`` three ways: through a Django cursor (what any ORM statement
    pays), through a kept psycopg cursor, and as a bare libpq round trip (the floor
    of any statement that waits for its answer)."""
    from django.db import connection, transaction

    from audit.models import Actie, AuditRecord, Doel
    from audit.services import record

    template = record(actor=actor, actie=Actie.READ, doel=Doel.CASUSBEHANDELING)
    orm_fields = {f.attname: getattr(template, f.attname) for f in AuditRecord._meta.fields}
    orm_fields.pop("id")

    def now() -> None:
        record(
            actor=actor,
            actie=Actie.READ,
            doel=Doel.CASUSBEHANDELING,
            object_type="casus",
            object_id=uuid.uuid4(),
            huishouden_id=uuid.uuid4(),
            persoon_ids=[uuid.uuid4()],
            velden=["naam"],
        )

    def orm() -> None:
        AuditRecord.objects.create(
            **{**orm_fields, "object_id": str(uuid.uuid4()), "huishouden_id": uuid.uuid4()}
        )

    def select_1() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    calls = {"record": now, "orm": orm, "select_1": select_1}
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        kept = connection.connection.cursor()
        pgconn = connection.connection.pgconn

        def psycopg_1() -> None:
            kept.execute("SELECT 1")
            kept.fetchone()

        calls["psycopg_1"] = psycopg_1
        calls["libpq_1"] = lambda: pgconn.exec_(b"SELECT 1")
    samples: dict[str, list[float]] = {name: [] for name in calls}
    with transaction.atomic():
        for _ in range(5):
            for name, call in calls.items():
                for _ in range(n // 5):
                    t = time.perf_counter()
                    call()
                    samples[name].append(time.perf_counter() - t)
    return {name: statistics.median(values) * 1e6 for name, values in samples.items()}


def _insert_server_us(actor, n: int = 300) -> float:
    """Median µs PostgreSQL spends executing the append's INSERT (its own EXPLAIN
    ANALYZE: planning and execution, no round trip, no client), rolled back."""
    from django.db import connection, transaction

    from audit import append
    from audit.models import Actie, Doel
    from audit.services import record

    template = record(actor=actor, actie=Actie.READ, doel=Doel.CASUSBEHANDELING)
    values = {name: getattr(template, name) for name, _ in append._COLUMNS}
    times = []
    with transaction.atomic(), connection.cursor() as cursor:
        for _ in range(n):
            values.update(object_id=str(uuid.uuid4()), huishouden_id=uuid.uuid4())
            cursor.execute(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + append._SQL, append._parameters(values)
            )
            (plan,) = cursor.fetchone()[0]
            times.append(plan["Planning Time"] + plan["Execution Time"])
        transaction.set_rollback(True)
    return statistics.median(times) * 1000


_PG_FILL = """
INSERT INTO audit_auditrecord (occurred_at, user_id, username, rol, organisatie_id,
  organisatie_naam, api_token_id, huishouden_id, persoon_ids, actie, object_type, object_id,
  object_ids, velden, doel, reden, noodtoegang, request_id, ip_adres, user_agent, uitkomst,
  huishouden_ids, trigger_user_id, trigger_username)
SELECT now() - make_interval(secs => g), g %% 500, 'gebruiker' || (g %% 500), 'consulent',
  '6f1c2a52-7f0e-4c55-9d43-2b8c6c2a1e10', 'Gemeente Putten', NULL,
  md5(g::text)::uuid, jsonb_build_array(md5((g + 1)::text)::uuid::text), 'read', 'casus',
  md5((g + 2)::text)::uuid::text, '[]'::jsonb, '["naam", "adres"]'::jsonb,
  'casusbehandeling', '', false, md5(g::text), '10.1.2.3',
  'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0', 'allowed',
  -- record form 2: every 10th a list read naming households, every 50th set off by a user
  CASE WHEN g %% 10 = 0 THEN jsonb_build_array(md5((g + 3)::text)::uuid::text,
    md5((g + 4)::text)::uuid::text) ELSE '[]'::jsonb END,
  CASE WHEN g %% 50 = 0 THEN g %% 500 END,
  CASE WHEN g %% 50 = 0 THEN 'gebruiker' || (g %% 500) ELSE '' END
FROM generate_series(%s, %s) g
"""


def _fill(records: int) -> float:
    from django.db import connection, transaction

    from audit.models import AuditRecord
    from audit.services import record

    start = time.perf_counter()
    if connection.vendor == "postgresql":
        chunk = 500_000
        for lo in range(1, records + 1, chunk):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(_PG_FILL, [lo, min(records, lo + chunk - 1)])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_auditrecord")
    else:
        template = record(actor=None, actie="read", doel="casusbehandeling")
        fields = {f.name: getattr(template, f.name) for f in AuditRecord._meta.fields}
        fields.pop("id")
        batch = [AuditRecord(**fields) for _ in range(5000)]
        for _ in range(records // 5000):
            for obj in batch:
                obj.pk = None
            AuditRecord.objects.bulk_create(batch)
    return time.perf_counter() - start


def _seal_hash_cost(n: int) -> tuple[float, float]:
    """Median µs per seal hash, unkeyed (version 1, before) and keyed (version 5, now)."""
    from django.utils import timezone

    from audit import canonical
    from audit.keys import sealing_key

    version, key = sealing_key()
    now = timezone.now()
    common = {
        "first_id": 1,
        "last_id": 10_000,
        "count": 10_000,
        "records_hash": "a" * 64,
        "previous_hash": "b" * 64,
        "sealed_at": now,
    }
    rounds: dict[int, list[float]] = {canonical.SEAL_UNKEYED: [], canonical.SEAL_KEYED: []}
    for _ in range(5):  # interleaved rounds, same run
        for versie in rounds:
            kwargs = (
                {"key": key.material, "key_version": version}
                if versie != canonical.SEAL_UNKEYED
                else {}
            )
            start = time.perf_counter()
            for _ in range(n):
                canonical.seal_hash(versie=versie, **common, **kwargs)
            rounds[versie].append((time.perf_counter() - start) / n * 1e6)
    return (
        statistics.median(rounds[canonical.SEAL_UNKEYED]),
        statistics.median(rounds[canonical.SEAL_KEYED]),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="records to verify")
    parser.add_argument(
        "--intakes", type=int, default=2000, help="intake transactions (half with audit)"
    )
    parser.add_argument("--workers", type=int, default=2, help="verify connections (PostgreSQL)")
    in_own_database(_run, parser.parse_args(argv))


def in_own_database(run: Callable[[argparse.Namespace], None], args: argparse.Namespace) -> None:
    """``run(args)`` on a database of its own (migrated), dropped afterwards."""
    drop = _setup(os.environ.get("DATABASE_URL"))
    try:
        _django()
        run(args)
    finally:
        drop()


def _run(args: argparse.Namespace) -> None:
    from django.db import connection

    from audit.models import AuditRecord
    from audit.sealing import seal_all
    from audit.verify import verify_chain
    from tests.toegang.factories import UserFactory

    actor = UserFactory(username=f"bench-{uuid.uuid4().hex[:8]}")
    print(f"database: {connection.vendor}")

    append = _append_overhead(2000, actor)
    print(
        f"append overhead per record (median, in a transaction): {append['record']:,.0f} µs "
        f"(target <= 300 µs); before (ORM create of the same record): {append['orm']:,.0f} µs; "
        f"ratio {append['record'] / append['orm']:.2f}; one round trip (SELECT 1): "
        f"{append['select_1']:,.0f} µs through a Django cursor"
        + (
            f", {append['psycopg_1']:,.0f} µs on a kept psycopg cursor, "
            f"{append['libpq_1']:,.0f} µs bare libpq"
            if "libpq_1" in append
            else ""
        )
    )
    if connection.vendor == "postgresql":
        print(
            f"append INSERT executing in PostgreSQL (EXPLAIN ANALYZE, median): "
            f"{_insert_server_us(actor):,.0f} µs"
        )

    for i in range(100):  # warm-up
        _intake_once(False, -i - 1, actor)
    off, on = _intake(args.intakes // 2, actor)
    print(
        f"intake throughput audit off: {1 / off:,.0f} tx/s; audit on: {1 / on:,.0f} tx/s; "
        f"ratio {off / on:.1%} (target >= 90%); median per transaction {off * 1e3:.2f} / "
        f"{on * 1e3:.2f} ms, audit on minus off {(on - off) * 1e6:,.0f} µs (alternating "
        f"transactions)"
    )

    unkeyed, keyed = _seal_hash_cost(20_000)
    print(
        f"seal hash per seal: unkeyed (v1, before) {unkeyed:.2f} µs; keyed HMAC (v5) "
        f"{keyed:.2f} µs; ratio {keyed / unkeyed:.2f}x; per record at the default batch "
        f"of 10,000: {keyed / 10_000 * 1000:.3f} ns"
    )

    existing = AuditRecord.objects.count()
    seconds = _fill(args.records)
    print(f"generated {args.records:,} records in {seconds:.1f} s")
    start = time.perf_counter()
    sealed = seal_all(timeout=3600)
    seal_seconds = time.perf_counter() - start
    print(
        f"sealed {sealed:,} records in {seal_seconds:.1f} s "
        f"({sealed / seal_seconds:,.0f} records/s)"
    )
    for workers in sorted({1, args.workers}):
        result = verify_chain(workers=workers)
        status = "OK" if result.ok else f"BROKEN: {result.problem}"
        print(
            f"audit_verify ({workers} worker(s)): {result.records:,} records in "
            f"{result.seconds:.2f} s = {result.rate:,.0f} records/s [{status}] "
            f"(target >= 300,000/s on PostgreSQL)"
        )
    if connection.vendor == "postgresql":
        print(
            f"PostgreSQL producing record form 3 alone (the verify COPY written to "
            f"/dev/null by the server, no client): {_copy_server_rate():,.0f} records/s per "
            f"connection"
        )
    for workers in sorted({1, args.workers}):
        rates = _hashing_rates(workers)
        print(
            f"records hashing only ({workers} worker(s)), same seals: record form 2 (text "
            f"built in SQL) {rates[2]:,.0f} records/s; form 3 (before: binary COPY hashed in "
            f"Python) {rates[3]:,.0f} records/s; form 4 (binary records hashed by PostgreSQL) "
            f"{rates[4]:,.0f} records/s; ratio 4/3 {rates[4] / rates[3]:.2f}"
        )
    if connection.vendor == "postgresql":
        costs = {form: _hashing_cpu(form) for form in (3, 4, 3, 4)}  # the second round counts
        if all(costs.values()):
            print(
                "CPU per record hashed (1 connection; load-robust): "
                + "; ".join(
                    f"form {form}{' (before)' if form == 3 else ''}: {client:.2f} µs Python + "
                    f"{backend:.2f} µs PostgreSQL = {client + backend:.2f} µs"
                    for form, (client, backend) in costs.items()
                )
                + f"; ratio 4/3 {sum(costs[4]) / sum(costs[3]):.2f}; two cores' worth of "
                f"form 4 alone: {2e6 / sum(costs[4]):,.0f} records/s"
            )
    assert existing >= 0


def _copy_server_rate() -> float:
    """Records/s of the verify's COPY of every record run by the server into /dev/null
    (needs a superuser or pg_write_server_files; 0 without)."""
    from django.db import DatabaseError, connection, transaction

    from audit import canonical
    from audit.models import AuditRecord

    last = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
    sql = canonical._COPY_SQL.format(lo=0, hi=last).replace("TO STDOUT", "TO '/dev/null'")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            start = time.perf_counter()
            cursor.execute(sql)
            return cursor.rowcount / (time.perf_counter() - start)
    except DatabaseError:
        return 0.0


def _hashing_rates(workers: int) -> dict[int, float]:
    """Records/s of hashing every sealed record in record forms 2, 3 and 4, as
    ``audit_verify`` groups them (the same seal ranges, relabelled per form)."""
    from dataclasses import replace

    from audit import canonical, verify

    seals = list(verify._seals(verify._start(None)[2], 0))
    rates = {}
    for versie in (canonical.SEAL_KEYED_V3, canonical.SEAL_KEYED_V4, canonical.SEAL_KEYED):
        relabelled = iter([replace(seal, versie=versie) for seal in seals])
        use_sql = _vendor() == "postgresql"
        start = time.perf_counter()
        records = sum(
            count
            for _, hashes in verify._hash_groups(verify._groups(relabelled), workers, use_sql)
            for count, _ in hashes
        )
        rates[canonical.record_form(versie)] = records / (time.perf_counter() - start)
    return rates


def _hashing_cpu(form: int) -> tuple[float, float] | None:
    """(µs of this process, µs of its PostgreSQL backend) of CPU per record hashed in
    record ``form`` on one connection; None where the backend's /proc entry cannot be
    read (PostgreSQL on another machine)."""
    from dataclasses import replace

    from django.db import connection

    from audit import canonical, verify

    versie = {3: canonical.SEAL_KEYED_V4, 4: canonical.SEAL_KEYED}[form]
    seals = [replace(seal, versie=versie) for seal in verify._seals(verify._start(None)[2], 0)]
    connection.ensure_connection()
    stat = f"/proc/{connection.connection.info.backend_pid}/stat"
    ticks = os.sysconf("SC_CLK_TCK")

    def backend() -> float:
        fields = open(stat).read().rsplit(")", 1)[1].split()  # noqa: SIM115
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    try:
        before_backend = backend()
    except OSError:
        return None
    before = time.process_time()
    records = sum(
        count
        for _, hashes in verify._hash_groups(verify._groups(iter(seals)), 1, True)
        for count, _ in hashes
    )
    client = time.process_time() - before
    return client / records * 1e6, (backend() - before_backend) / records * 1e6


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


if __name__ == "__main__":
    sys.exit(main())
