"""'Mijn casussen' at scale: direct-FK permission subquery vs guardian's generic path.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casussen python -m bench.casussen_bench
    ... python -m bench.casussen_bench --casussen 1000000     # the issue's full size

Generates (with COPY) N casussen, each with its own huishouden, data key and one
sealed gezinslid, and 3 permission rows per casus (aanspreekpunt view + change,
one betrokkene view) in the direct-FK table *and* the same rows in guardian's
generic ``UserObjectPermission`` table. Consultant "klein" has 200 casussen,
"groot" N/10 (100,000 at full size). Then measures, in one run:

* database time of the first page of 50 (EXPLAIN ANALYZE: planning + execution);
* endpoint p95 of ``GET /api/v1/casussen`` and ``GET /casussen/`` (session,
  selector, audit record, decrypting the 50 names shown, rendering);
* the same first page through guardian's ``get_objects_for_user`` on the generic
  table (its default path) and, for reference, on the direct-FK table.

Prints figures and ratios; asserts nothing. Data is reused when the size matches.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

PAGE = 50
BETROKKENE_POOL = 2000
CONSULENTEN = 5000


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toegang.settings.dev")
    os.environ.setdefault("EMBEDDED_WORKER", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# -- generation -------------------------------------------------------------------


def _copy(table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    from django.db import connection

    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _users() -> dict[str, Any]:
    from toegang.models import Organisatie, Team, User
    from toegang.roles import Rol

    org, _ = Organisatie.objects.get_or_create(
        naam="Bench gemeente", defaults={"soort": "gemeente"}
    )
    team, _ = Team.objects.get_or_create(naam="Bench team", organisatie=org)
    wanted = ["klein", "groot"] + [f"c{i}" for i in range(CONSULENTEN)]
    existing = set(
        User.objects.filter(username__startswith="bench-").values_list("username", flat=True)
    )
    User.objects.bulk_create(
        [
            User(
                username=f"bench-{name}",
                rol=Rol.CONSULENT,
                organisatie=org,
                team=team,
                password="!",  # noqa: S106  (the unusable-password marker)
            )
            for name in wanted
            if f"bench-{name}" not in existing
        ],
        batch_size=2000,
    )
    users = dict(User.objects.filter(username__startswith="bench-").values_list("username", "pk"))
    return {"team": team, "users": users}


def _generate(n: int) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from casussen.models import Casus, Gezinslid
    from toegang import policy
    from toegang.crypto.datakeys import wrap
    from toegang.crypto.keyring import get_keyring
    from toegang.crypto.sealing import seal

    print(
        f"genereren: {n:,} casussen, {3 * n:,} rechten (direct) + {3 * n:,} (generiek) ...",
        flush=True,
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE casussen_casususerobjectpermission, casussen_timelineentry, "
            "casussen_betrokkene, casussen_noodtoegang, casussen_casus, casussen_gezinslid, "
            "casussen_huishouden, guardian_userobjectpermission CASCADE"
        )
        cursor.execute("DELETE FROM toegang_datakey")
    setup = _users()
    users, team = setup["users"], setup["team"]
    klein, groot = users["bench-klein"], users["bench-groot"]
    others = [users[f"bench-c{i}"] for i in range(CONSULENTEN)]
    n_groot = max(1, n // 10)
    ring = get_keyring()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    now = timezone.now()
    ids = [(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()) for _ in range(n)]
    lid_table = Gezinslid._meta.db_table
    sealed_columns = ["voornaam", "achternaam", "bsn", "straat", "huisnummer", "postcode",
                      "woonplaats", "telefoon"]  # fmt: skip
    # The field's own associated data (table, column, row id), so the values open normally.
    fields = {c: Gezinslid._meta.get_field(c) for c in sealed_columns}
    with transaction.atomic():
        keys: list[bytes] = []

        def datakeys() -> Iterator[tuple[Any, ...]]:
            for dk, _hh, _lid, _c in ids:
                material = os.urandom(32)
                keys.append(material)
                yield (dk, wrap(material, data_key_id=dk, ring=ring), ring.current_version, now)

        _copy("toegang_datakey", ["id", "wrapped", "kek_version", "created_at"], datakeys())
        _copy(
            "casussen_huishouden",
            ["id", "data_key_id", "created_at"],
            ((hh, dk, now) for dk, hh, _l, _c in ids),
        )

        def leden() -> Iterator[tuple[Any, ...]]:
            for (_dk, hh, lid, _c), material in zip(ids, keys, strict=True):
                cipher = AESGCM(material)
                values = {c: b"" for c in sealed_columns}
                values["voornaam"] = b"Sanne"
                values["achternaam"] = f"Jansen-{str(lid)[:4]}".encode()
                sealed = [seal(cipher, values[c], fields[c]._aad(lid)) for c in sealed_columns]
                yield (lid, hh, "aanvrager", *sealed, now)

        _copy(lid_table, ["id", "huishouden_id", "relatie", *sealed_columns, "created_at"], leden())

        def casussen() -> Iterator[tuple[Any, ...]]:
            for i, (_dk, hh, _l, casus_id) in enumerate(ids):
                owner = (
                    groot
                    if i < n_groot
                    else klein
                    if i < n_groot + 200
                    else others[i % CONSULENTEN]
                )
                activity = now - timedelta(minutes=(i * 7919) % 500_000)
                yield (casus_id, hh, team.pk, "in_behandeling", owner, i % 17 == 0, '["wonen"]', 1,
                       activity, activity)  # fmt: skip

        _copy(
            Casus._meta.db_table,
            ["id", "huishouden_id", "team_id", "status", "aanspreekpunt_id", "urgent",
             "leefgebieden", "version", "opened_at", "last_activity_at"],
            casussen(),
        )  # fmt: skip
        view = policy.permission_id(Casus, "view_casus")
        change = policy.permission_id(Casus, "change_casus")
        owners = {}
        for i, (*_rest, casus_id) in enumerate(ids):
            owners[casus_id] = (
                groot if i < n_groot else klein if i < n_groot + 200 else others[i % CONSULENTEN]
            )

        def perms() -> Iterator[tuple[Any, ...]]:
            for i, (*_rest, casus_id) in enumerate(ids):
                owner = owners[casus_id]
                yield (owner, view, casus_id)
                yield (owner, change, casus_id)
                yield (others[(i * 31 + 7) % BETROKKENE_POOL], view, casus_id)

        _copy(
            "casussen_casususerobjectpermission",
            ["user_id", "permission_id", "content_object_id"],
            perms(),
        )
        ctype = ContentType.objects.get_for_model(Casus).pk
        _copy(
            "guardian_userobjectpermission",
            ["user_id", "permission_id", "object_pk", "content_type_id"],
            ((u, p, str(c), ctype) for u, p, c in perms()),
        )
    print(f"  klaar in {time.perf_counter() - started:.1f} s", flush=True)


def _vacuum() -> None:
    from django.db import connection

    connection.ensure_connection()
    old = connection.connection.autocommit
    connection.connection.autocommit = True
    with connection.connection.cursor() as cursor:
        for table in ("casussen_casus", "casussen_casususerobjectpermission",
                      "guardian_userobjectpermission", "casussen_gezinslid"):  # fmt: skip
            cursor.execute(f"VACUUM ANALYZE {table}")
    connection.connection.autocommit = old


# -- measuring --------------------------------------------------------------------


def _explain_ms(queryset: Any, repeats: int) -> tuple[float, float]:
    """Median and p95 of planning + execution time (ms) of ``queryset``'s SQL."""
    import json

    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    times = []
    with connection.cursor() as cursor:
        for _ in range(repeats):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            times.append(plan[0]["Planning Time"] + plan[0]["Execution Time"])
    return statistics.median(times), _p(times, 0.95)


def _first_page_direct(user: Any) -> Any:
    from casussen.selectors import casussen_for_user

    return (
        casussen_for_user(user=user)
        .exclude(status="afgesloten")
        .order_by("-last_activity_at", "-id")[:PAGE]
    )


def _first_page_guardian(user: Any, *, generic: bool) -> Any:
    from casussen.models import Casus, CasusUserObjectPermission
    from toegang import policy

    CasusUserObjectPermission.enabled = not generic  # guardian then falls back to its generic table
    try:
        queryset = policy.guardian_objects_for_user(
            user, "casussen.view_casus", Casus.objects.all()
        )
        return queryset.exclude(status="afgesloten").order_by("-last_activity_at", "-id")[:PAGE]
    finally:
        CasusUserObjectPermission.enabled = True


def _endpoint_ms(user: Any, path: str, repeats: int) -> tuple[float, float]:
    from django.test import Client

    from toegang.crypto.datakeys import cipher_cache

    client = Client(SERVER_NAME="localhost")
    from tests.auth import verified_login

    verified_login(client, user)
    times = []
    for i in range(repeats + 3):
        cipher_cache.clear()  # every request unwraps its 50 data keys again: worst case
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        if i >= 3:  # warm-up
            times.append(elapsed)
    return statistics.median(times), _p(times, 0.95)


def _measure(repeats: int) -> None:
    from casussen.models import Casus
    from toegang.models import User

    print(f"\nEerste pagina van {PAGE}, {repeats} herhalingen (ms: mediaan / p95)")
    header = f"{'consulent':<10}{'casussen':>10}  {'meting':<46}{'mediaan':>9}{'p95':>9}"
    print(header)
    print("-" * len(header))
    for name in ("klein", "groot"):
        user = User.objects.get(username=f"bench-{name}")
        count = Casus.objects.filter(aanspreekpunt=user).count()
        rows: list[tuple[str, tuple[float, float]]] = []
        direct = _explain_ms(_first_page_direct(user), repeats)
        rows.append(("db: direct-FK subquery (deze selector)", direct))
        rows.append(
            (
                "db: guardian get_objects_for_user, direct-FK",
                _explain_ms(_first_page_guardian(user, generic=False), repeats),
            )
        )
        generic = _explain_ms(_first_page_guardian(user, generic=True), max(5, repeats // 4))
        rows.append(("db: guardian get_objects_for_user, generiek", generic))
        rows.append(
            (
                "endpoint GET /api/v1/casussen (incl. ontsleutelen)",
                _endpoint_ms(user, "/api/v1/casussen", repeats),
            )
        )
        rows.append(
            (
                "pagina GET /casussen/ (incl. ontsleutelen)",
                _endpoint_ms(user, "/casussen/", repeats),
            )
        )
        for label, (median, p95) in rows:
            print(f"{name:<10}{count:>10,}  {label:<46}{median:>9.2f}{p95:>9.2f}")
        print(f"{'':<22}ratio generiek / direct (mediaan db-tijd): {generic[0] / direct[0]:.1f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--casussen", type=int, default=20_000, help="aantal casussen (1000000 voor de volle maat)"
    )
    parser.add_argument("--herhalingen", type=int, default=30)
    parser.add_argument("--opnieuw", action="store_true", help="gegevens opnieuw genereren")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("casussen_bench: zet DATABASE_URL op een PostgreSQL-database; overgeslagen.")
        return 0
    _setup()
    from casussen.models import Casus

    if args.opnieuw or Casus.objects.count() != args.casussen:
        _generate(args.casussen)
        _vacuum()
    _measure(args.herhalingen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
