"""The restore drill (PostgreSQL): a shredded household stays gone after an old backup returns.

Make data, back up with ``pg_dump``, destroy a household, restore the old dump into a
fresh database with ``pg_restore``, run the restore procedure (``restore_check``), then:
the destroyed household is unreadable, everything else decrypts, ``audit_verify`` passes.
Prints how long the restore took (the figure, not an assertion).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest

from django.core.management import call_command
from django.db import connection

from audit import shred_ledger
from audit.sealing import seal_all
from casussen.models import Gezinslid, Huishouden
from casussen.services.casus import timeline_add
from casussen.services.retention import destroy_household
from signalen.models import Signaal
from signalen.services import signaal_receive
from tests.signalen import factories as signaal_factories
from toegang.crypto.datakeys import cipher_cache
from toegang.crypto.models import DataKey

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _client_args() -> tuple[list[str], dict[str, str]]:
    conf = connection.settings_dict
    args: list[str] = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if conf.get(key):
            args += [flag, str(conf[key])]
    return args, {**os.environ, "PGPASSWORD": conf.get("PASSWORD") or ""}


def _run(command: list[str]) -> None:
    args, env = _client_args()
    subprocess.run([*command, *args], env=env, check=True, capture_output=True)


def _reconnect() -> None:
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()


@contextlib.contextmanager
def _on_database(name: str) -> Iterator[None]:
    """Point this process's default connection at ``name`` for a while."""
    original = connection.settings_dict["NAME"]
    _reconnect()
    connection.settings_dict["NAME"] = name
    cipher_cache.clear()  # keys come from the database at hand, as in a fresh process
    try:
        yield
    finally:
        _reconnect()
        connection.settings_dict["NAME"] = original
        cipher_cache.clear()


@pytest.fixture
def ledger(settings, tmp_path):
    settings.SHRED_LEDGER_STORE = f"file:{tmp_path / 'vernietigingen.jsonl'}"
    return tmp_path / "vernietigingen.jsonl"


@pytest.fixture
def restored_name():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    for tool in ("pg_dump", "pg_restore", "createdb", "dropdb"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed")
    name = f"{connection.settings_dict['NAME']}_herstel"
    yield name
    _run(["dropdb", "--if-exists", "--force", name])


def test_restore_drill(ledger, restored_name, make_casus, consulent, team, tmp_path, capsys):
    melder = signaal_factories.melder_of(signaal_factories.inloophuis())
    gone = make_casus(consulent, leden=[{"achternaam": "Weg"}])
    kept = make_casus(consulent, leden=[{"achternaam": "Blijft"}])
    timeline_add(casus=kept, soort="notitie", by=consulent, tekst="Blijft leesbaar")
    signaal = signaal_receive(melder=melder, data=signaal_factories.body())
    seal_all()

    dump = tmp_path / "backup.dump"
    _run(["pg_dump", "-Fc", "--no-owner", "--file", str(dump), connection.settings_dict["NAME"]])

    destroy_household(huishouden=gone.huishouden, by=None, reden="bewaartermijn verstreken")
    shred_ledger.mirror()  # what the commit hook and the worker job do
    assert len(Path(ledger).read_text().splitlines()) == 1

    started = time.monotonic()
    _run(["createdb", restored_name])
    _run(["pg_restore", "--no-owner", "--dbname", restored_name, str(dump)])
    restored_in = time.monotonic() - started

    with _on_database(restored_name):
        # The old backup brought the household back: the web process would refuse.
        assert not DataKey.objects.get(pk=gone.huishouden.data_key_id).is_destroyed
        assert shred_ledger.startup_problem() is not None

        started = time.monotonic()
        call_command("restore_check", stdout=StringIO())
        checked_in = time.monotonic() - started

        assert shred_ledger.startup_problem() is None
        assert DataKey.objects.get(pk=gone.huishouden.data_key_id).is_destroyed
        assert Huishouden.objects.get(pk=gone.huishouden_id).is_vernietigd
        assert not Gezinslid.objects.filter(huishouden=gone.huishouden_id).exists()
        lid = Gezinslid.objects.get(huishouden=kept.huishouden_id)
        assert lid.achternaam == "Blijft"
        assert kept.tijdlijn.get(soort="notitie").tekst == "Blijft leesbaar"
        assert Signaal.objects.get(pk=signaal.pk).omschrijving == signaal.omschrijving
        seal_all()
        call_command("audit_verify", stdout=StringIO())

    with capsys.disabled():
        print(f"\nrestore drill: pg_restore {restored_in:.2f} s, restore_check {checked_in:.2f} s")
