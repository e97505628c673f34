"""Encryption at rest: page seal/open time vs Fernet, blind-index cost, rotation speed.

    python -m bench.crypto_bench

Runs on a throw-away test database (test settings: SQLite in a temp dir unless
DATABASE_URL is set) and, where the OS allows, pinned to one CPU core. Prints
figures; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

PAGE_RECORDS = 50
FIELDS = ("voornaam", "achternaam", "geboortedatum", "bsn", "straat", "telefoon")
REPEATS = 200


def _median_ms(run: Callable[[], object], *, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _page_values(i: int) -> dict[str, object]:
    return {
        "voornaam": f"Voornaam{i}",
        "achternaam": f"van der Achternaam{i}",
        "geboortedatum": date(1970 + i % 40, 1 + i % 12, 1 + i % 28),
        "bsn": "123456782",
        "straat": f"Dorpsstraat {i}",
        "telefoon": "0612345678",
    }


def bench_page() -> None:
    """300 values on 50 data keys, cold cache: AES-GCM envelope vs Fernet envelope."""
    from cryptography.fernet import Fernet

    from casussen.models import Gezinslid
    from toegang.crypto.datakeys import CIPHER_MEMO, cipher_cache, data_key_cipher, wrap
    from toegang.crypto.keyring import get_keyring
    from toegang.crypto.models import DataKey
    from toegang.crypto.sealing import open_sealed, seal

    fields: dict[str, Any] = {f: Gezinslid._meta.get_field(f) for f in FIELDS}
    ring = get_keyring()
    records = []
    for i in range(PAGE_RECORDS):
        data_key = DataKey(id=uuid.uuid4(), kek_version=ring.current_version)
        data_key.wrapped = wrap(os.urandom(32), data_key_id=data_key.pk, ring=ring)
        pk = uuid.uuid4()
        records.append((data_key, pk, _page_values(i)))
    cipher_cache.clear()
    sealed = [
        (
            dk,
            {
                f: (aad, seal(data_key_cipher(dk), fields[f].encode(v), aad))
                for f, v in values.items()
                for aad in (fields[f]._aad(pk),)
            },
        )
        for dk, pk, values in records
    ]

    def forget_keys() -> None:  # cold cache: no unwrapped key in the LRU nor on the rows
        cipher_cache.clear()
        for data_key, _, _ in records:
            data_key.__dict__.pop(CIPHER_MEMO, None)

    def aes_seal(*, cold: bool = True) -> list:
        if cold:
            forget_keys()
        out = []
        for dk, pk, values in records:
            cipher = data_key_cipher(dk)
            out.append(
                (
                    dk,
                    {
                        name: (aad, seal(cipher, fields[name].encode(value), aad))
                        for name, value in values.items()
                        for aad in (fields[name]._aad(pk),)
                    },
                )
            )
        return out

    def aes_open(page: list = sealed, *, cold: bool = True) -> None:
        if cold:
            forget_keys()
        for dk, blobs in page:
            cipher = data_key_cipher(dk)
            for name, (aad, blob) in blobs.items():
                fields[name].decode(open_sealed(cipher, blob, aad))

    def aes_round_trip() -> None:
        aes_open(aes_seal(), cold=False)

    kek = Fernet(Fernet.generate_key())
    f_records = [(kek.encrypt(Fernet.generate_key()), values) for _, _, values in records]

    def fernet_seal() -> list:
        out = []
        for wrapped, values in f_records:
            cipher = Fernet(kek.decrypt(wrapped))
            out.append(
                (wrapped, {n: cipher.encrypt(fields[n].encode(v)) for n, v in values.items()})
            )
        return out

    f_sealed = fernet_seal()

    def fernet_open(page: list = f_sealed, ciphers: dict | None = None) -> None:
        for wrapped, tokens in page:
            cipher = ciphers[wrapped] if ciphers else Fernet(kek.decrypt(wrapped))
            for name, token in tokens.items():
                fields[name].decode(cipher.decrypt(token))

    def fernet_round_trip() -> None:
        ciphers = {wrapped: Fernet(kek.decrypt(wrapped)) for wrapped, _ in f_records}
        page = [
            (w, {n: ciphers[w].encrypt(fields[n].encode(v)) for n, v in values.items()})
            for w, values in f_records
        ]
        fernet_open(page, ciphers)

    rows: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
        ("seal (cold cache)", aes_seal, fernet_seal),
        ("open (cold cache)", aes_open, fernet_open),
        ("seal+open, keys unwrapped once", aes_round_trip, fernet_round_trip),
    ]
    values = PAGE_RECORDS * len(FIELDS)
    print(
        f"page of {PAGE_RECORDS} records x {len(FIELDS)} fields = {values} values on "
        f"{PAGE_RECORDS} data keys, median of {REPEATS} runs (target <= 1 ms):"
    )
    for label, ours, theirs in rows:
        ours_ms, fernet_ms = _median_ms(ours), _median_ms(theirs)
        print(
            f"  {label:<31} AES-256-GCM {ours_ms:6.3f} ms   Fernet {fernet_ms:6.3f} ms   "
            f"Fernet/ours {fernet_ms / ours_ms:4.1f}x"
        )


def bench_model_page() -> None:
    """The real path: a list of 50 gezinsleden from the database, 6 attributes read each."""
    from casussen.models import Gezinslid
    from casussen.services.huishouden import gezinslid_add, huishouden_create
    from toegang.crypto.datakeys import cipher_cache

    for i in range(PAGE_RECORDS):
        values = _page_values(i)
        gezinslid_add(huishouden=huishouden_create(by=None), by=None, **values)  # type: ignore[arg-type]

    pages = []

    def fetch() -> None:
        pages.append(list(Gezinslid.objects.all()[:PAGE_RECORDS]))

    query_ms = _median_ms(fetch, repeats=50)
    pages.clear()
    for _ in range(REPEATS):
        fetch()
    rows = iter(pages)

    def read() -> None:
        cipher_cache.clear()
        for lid in next(rows):
            for name in FIELDS:
                getattr(lid, name)

    print(
        f"model page: query {query_ms:.3f} ms, then reading {len(FIELDS)} sealed attributes "
        f"of {PAGE_RECORDS} rows (cold cache) {_median_ms(read):.3f} ms"
    )


def bench_blind_index() -> None:
    from toegang.crypto.blind_index import (
        blind_index_bsn,
        blind_index_naam_geboortedatum,
        blind_index_postcode_huisnummer,
    )

    count = 20000
    dob = date(1980, 5, 17)
    cases = {
        "bsn": lambda: blind_index_bsn("123456782"),
        "naam + geboortedatum": lambda: blind_index_naam_geboortedatum("van der Berg", dob),
        "postcode + huisnummer": lambda: blind_index_postcode_huisnummer("1234 ab", "12a"),
    }
    print("blind index per value:")
    for name, run in cases.items():
        start = time.perf_counter()
        for _ in range(count):
            run()
        print(f"  {name:<22} {(time.perf_counter() - start) / count * 1e6:6.2f} us")


def bench_rotation(count: int = 5000) -> None:
    from toegang.crypto.datakeys import wrap
    from toegang.crypto.keyring import get_keyring
    from toegang.crypto.models import DataKey
    from toegang.crypto.rotation import kek_rotate

    ring = get_keyring(fresh=True)
    keys = []
    for _ in range(count):
        data_key = DataKey(id=uuid.uuid4(), kek_version=ring.current_version)
        data_key.wrapped = wrap(os.urandom(32), data_key_id=data_key.pk, ring=ring)
        keys.append(data_key)
    DataKey.objects.bulk_create(keys, batch_size=1000)
    total = DataKey.objects.count()
    start = time.perf_counter()
    result = kek_rotate(batch_size=500)
    elapsed = time.perf_counter() - start
    print(
        f"KEK rotation: {result.rewrapped} of {total} data keys re-wrapped in {elapsed:.2f} s "
        f"= {result.rewrapped / elapsed:,.0f} data keys/s (batches of 500)"
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toegang.settings.test")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor}; python {sys.version.split()[0]}; one core")
        bench_page()
        bench_model_page()
        bench_blind_index()
        bench_rotation()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
