"""Nothing personal reaches the database in plain text: scan every byte of it for markers.

SQLite: the test database file itself (after a WAL checkpoint), plus any WAL file.
PostgreSQL: a ``pg_dump`` of the test database. A control value stored on purpose
in a plain column proves that the scan would see a leak.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from django.db import connection

from casussen import demo
from casussen.models import Gezinslid
from tests.casussen.factories import make_huishouden, random_bsn
from tests.toegang.factories import OrganisatieFactory
from toegang.crypto.datakeys import cipher_cache


def _sqlite_bytes() -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    name = connection.settings_dict["NAME"]
    paths = [Path(name), Path(f"{name}-wal"), Path(f"{name}-journal")]
    return b"".join(p.read_bytes() for p in paths if p.exists())


def _pg_dump_bytes() -> bytes:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump not installed")
    conf = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": conf.get("PASSWORD") or ""}
    command = ["pg_dump", "--no-owner", "--dbname", conf["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if conf.get(key):
            command += [flag, str(conf[key])]
    return subprocess.run(command, env=env, capture_output=True, check=True).stdout


def _database_bytes() -> bytes:
    return _sqlite_bytes() if connection.vendor == "sqlite" else _pg_dump_bytes()


def _marker(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@pytest.mark.django_db(transaction=True)
def test_no_name_bsn_or_address_of_a_household_is_in_the_database_in_plain_text():
    demo.load()
    rng = random.Random()
    markers: list[str] = []
    for _ in range(3):
        values = [
            {
                "voornaam": _marker("Voormerk"),
                "achternaam": f"van der {_marker('Achtermerk')}ë",
                "bsn": random_bsn(rng),
                "straat": _marker("Straatmerk"),
                "woonplaats": _marker("Plaatsmerk"),
                "telefoon": f"06{rng.randrange(10**8):08d}",
            }
            for _ in range(2)
        ]
        make_huishouden(*values)
        markers += [v for lid in values for v in lid.values()]
    cipher_cache.clear()
    demo_values = [
        value
        for lid in Gezinslid.objects.all()
        for value in (lid.voornaam, lid.achternaam, lid.bsn, lid.straat, lid.telefoon)
        if len(value) >= 6
    ]
    assert len(demo_values) > 20
    control = _marker("Controlemerk")
    OrganisatieFactory(naam=control)  # a plain column: the scan must find this one

    data = _database_bytes()

    assert control.encode() in data
    leaked = [m for m in [*markers, *demo_values] if m.encode() in data]
    assert leaked == []
