# ruff: noqa: E501  (SQL and figure lines read better unbroken)
"""The beleidsmonitor at scale: page and API for a quarter from the projection, beside the
same counts by a direct aggregate over the source tables, and the projection's lag.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor python -m bench.monitor_bench
    ... python -m bench.monitor_bench --casussen 1000000   # the issue's size (5M signals)

Generates (INSERT ... SELECT generate_series, PostgreSQL only) N casussen and 5N signals
spread over 8 quarters and the demo buurten: straight into the projection's fact tables,
its counters (``monitor_teller``, aggregated from those facts by SQL that follows
``monitor.tellers``; the trede-mix of a plan is taken per casus, not per quarter), and
the same numbers into the source tables (data keys, huishoudens with a buurt code,
casussen, signals with a dummy sealed text). Then measures, in one run:

* p95 of ``GET /monitor/`` (4 quarters for the trend) and ``GET /api/v1/monitor/kwartalen/Q``;
* p95 of a direct aggregate over the source tables (signals per buurt, kind, consent,
  month; casussen new, closed, open per buurt) for the same quarter, and the ratio;
* projection lag: events emitted at a steady rate while the worker job runs on its
  registered interval (one transaction per batch of waiting events); p50/p99 of
  ``projected_at - created_at``.

Prints figures; asserts nothing. Data is reused when the size matches (``--opnieuw``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import uuid
from typing import Any

from bench.casussen_bench import _p, _setup

KWARTALEN = 8
SOORTEN = ["inloophuis", "huisarts", "school", "welzijn", "woningcorporatie"]
TOESTEMMING = ["met_toestemming", "zonder_toestemming", "warme_overdracht"]


def _sql(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else []


def _array(values: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


def _generate(n: int, buurten: list[str], dagen: int) -> None:
    """Projection and source rows for n casussen and 5n signals over ``dagen`` days."""
    from monitor.models import PROJECTIE_MODELLEN, Restbijdrage, Teller

    for model in (*PROJECTIE_MODELLEN, Teller, Restbijdrage):
        _sql(f"TRUNCATE {model._meta.db_table}")
    b, s, t = _array(buurten), _array(SOORTEN), _array(TOESTEMMING)
    # Projection: casussen (opened over the period, 60 % closed within 30-300 days).
    _sql(
        f"""INSERT INTO monitor_casusfeit (casus_id, geopend_op, gesloten_op, afsluitreden, buurt,
               eerste_signaal_op, aanspreekpunt_op, eerste_gesprek_op)
        SELECT md5('c' || i)::uuid, o, CASE WHEN i %% 5 < 3 THEN o + (30 + i %% 270) * interval '1 day' END,
               CASE WHEN i %% 5 < 3 THEN 'doelen_bereikt' ELSE '' END, ({b})[1 + i %% {len(buurten)}],
               o, o + (i %% 200) * interval '1 hour', (o + (7 + i %% 20) * interval '1 day')::date
        FROM (SELECT i, now() - (i %% {dagen}) * interval '1 day' - (i %% 13) * interval '1 hour' AS o
              FROM generate_series(1, %s) i) g""",
        [n],
    )
    _sql(
        f"""INSERT INTO monitor_signaalfeit (signaal_id, ontvangen_op, buurt, organisatie_soort,
               toestemming, leefgebieden, casus_id)
        SELECT md5('s' || i)::uuid, now() - (i %% {dagen}) * interval '1 day' - (i %% 17) * interval '1 hour',
               ({b})[1 + i %% {len(buurten)}], ({s})[1 + i %% 5], ({t})[1 + i %% 3],
               '["wonen", "financien"]'::jsonb, CASE WHEN i %% 5 = 0 THEN md5('c' || (i / 5))::uuid END
        FROM generate_series(1, %s) i""",
        [5 * n],
    )
    _sql(
        """INSERT INTO monitor_actiefeit (actie_id, casus_id, trede, aangemaakt_op)
        SELECT md5('a' || i)::uuid, md5('c' || (1 + i %% %s))::uuid, 1 + i %% 4,
               now() - (i %% %s) * interval '1 day' FROM generate_series(1, %s) i""",
        [n, dagen, 2 * n],
    )
    _sql(
        """INSERT INTO monitor_metingfeit (meting_id, casus_id, soort, datum, vastgelegd_op,
               lichaamsfuncties, mentaal_welbevinden, zingeving, kwaliteit_van_leven, meedoen,
               dagelijks_functioneren)
        SELECT md5('m' || i)::uuid, md5('c' || (1 + i %% %s))::uuid, 'uitvraag',
               (now() - (i %% %s) * interval '1 day')::date, now(),
               i %% 11, (i + 1) %% 11, (i + 2) %% 11, (i + 3) %% 11, (i + 4) %% 11, (i + 5) %% 11
        FROM generate_series(1, %s) i""",
        [n, dagen, 2 * n],
    )
    _tellers()
    _generate_sources(n, buurten, dagen)
    _sql("ANALYZE")


def _kw(expr: str, datum: bool = False) -> str:
    """SQL for the quarter ("2026-K3") of a timestamptz (local time) or a date."""
    from django.conf import settings

    lokaal = expr if datum else f"({expr}) AT TIME ZONE '{settings.TIME_ZONE}'"
    return f"""to_char({lokaal}, 'YYYY"-K"Q')"""


def _tellers() -> None:
    """The counters of the generated facts (``monitor.tellers`` in SQL)."""
    from django.conf import settings

    from monitor.models import DIMENSIES

    tz = settings.TIME_ZONE
    insert = "INSERT INTO monitor_teller (kwartaal, maat, code, aantal) "
    s = _kw("ontvangen_op")
    for maat, code, where in (
        ("signalen", "buurt", ""),
        ("signalen:soort", "organisatie_soort", ""),
        ("signalen:toestemming", "toestemming", ""),
        ("signalen:maand", f"extract(month FROM ontvangen_op AT TIME ZONE '{tz}')::int::text", ""),
        ("signalen:casus", "'ja'", "WHERE casus_id IS NOT NULL"),
    ):
        _sql(
            f"{insert} SELECT {s}, '{maat}', {code}, count(*) FROM monitor_signaalfeit {where} GROUP BY 1, 3"
        )
    _sql(f"""{insert} SELECT {s}, 'signalen:leefgebied', l, count(*)
        FROM monitor_signaalfeit, jsonb_array_elements_text(leefgebieden) l GROUP BY 1, 3""")
    for maat, moment, code, where in (
        ("nieuw", "geopend_op", "buurt", "geopend_op IS NOT NULL"),
        ("gesloten", "gesloten_op", "buurt", "gesloten_op IS NOT NULL AND geopend_op IS NOT NULL"),
        ("afsluitreden", "gesloten_op", "afsluitreden", "gesloten_op IS NOT NULL AND geopend_op IS NOT NULL"),
        ("mediaan:aanspreekpunt", "eerste_signaal_op",
         "round(extract(epoch FROM aanspreekpunt_op - eerste_signaal_op) / 8640)::bigint::text",
         "aanspreekpunt_op >= eerste_signaal_op"),
        ("mediaan:gesprek", "eerste_signaal_op",
         f"(eerste_gesprek_op - (eerste_signaal_op AT TIME ZONE '{tz}')::date)::text",
         f"eerste_gesprek_op >= (eerste_signaal_op AT TIME ZONE '{tz}')::date"),
    ):  # fmt: skip
        _sql(
            f"{insert} SELECT {_kw(moment)}, '{maat}', {code}, count(*) FROM monitor_casusfeit WHERE {where} GROUP BY 1, 3"
        )
    _sql(
        f"{insert} SELECT {_kw('aangemaakt_op')}, 'acties:trede', trede::text, count(*) FROM monitor_actiefeit GROUP BY 1, 3"
    )
    # Plannen: +1 from the quarter the casus has actions and is open, -1 after it closed.
    _sql(f"""WITH p AS (
            SELECT greatest({_kw("c.geopend_op")}, {_kw("min(a.aangemaakt_op)")}) AS van,
                   CASE WHEN c.gesloten_op IS NOT NULL THEN to_char(date_trunc('quarter', c.gesloten_op AT TIME ZONE '{tz}') + interval '3 months', 'YYYY"-K"Q') END AS tot,
                   CASE WHEN max(a.trede) > 2 THEN 'zwaar' ELSE 'licht' END AS code
            FROM monitor_casusfeit c JOIN monitor_actiefeit a ON a.casus_id = c.casus_id
            WHERE c.geopend_op IS NOT NULL GROUP BY c.casus_id)
        {insert} SELECT kwartaal, 'plannen', code, sum(n) FROM (
            SELECT van AS kwartaal, code, 1 AS n FROM p WHERE tot IS NULL OR van < tot
            UNION ALL SELECT tot, code, -1 FROM p WHERE tot IS NOT NULL AND van < tot) x
        GROUP BY 1, 3""")
    dims = ", ".join(f"('{d}', l.{d} - f.{d})" for d in DIMENSIES)
    _sql(f"""WITH n AS (SELECT casus_id FROM monitor_metingfeit GROUP BY 1 HAVING count(*) >= 2),
        f AS (SELECT DISTINCT ON (casus_id) * FROM monitor_metingfeit WHERE casus_id IN (SELECT casus_id FROM n)
              ORDER BY casus_id, datum, vastgelegd_op, meting_id),
        l AS (SELECT DISTINCT ON (casus_id) * FROM monitor_metingfeit WHERE casus_id IN (SELECT casus_id FROM n)
              ORDER BY casus_id, datum DESC, vastgelegd_op DESC, meting_id DESC),
        d AS (SELECT {_kw("l.datum", datum=True)} AS q, x.dim, x.v FROM f JOIN l USING (casus_id),
              LATERAL (VALUES {dims}) x(dim, v))
        {insert} SELECT q, 'gezondheid:' || dim, CASE WHEN v > 0 THEN 'beter' WHEN v = 0 THEN 'gelijk' ELSE 'slechter' END, count(*)
        FROM d GROUP BY 1, 2, 3
        UNION ALL SELECT q, 'gezondheid:' || dim, 'verschil', sum(v) FROM d GROUP BY 1, 2""")


def _generate_sources(n: int, buurten: list[str], dagen: int) -> None:
    """The source tables the direct aggregate reads (no real sealing: a dummy text)."""
    from toegang.models import Organisatie, Team, User

    org, _c = Organisatie.objects.get_or_create(
        naam="Bench partner", defaults={"soort": "inloophuis"}
    )
    gemeente, _c = Organisatie.objects.get_or_create(
        naam="Bench gemeente", defaults={"soort": "gemeente"}
    )
    team, _c = Team.objects.get_or_create(naam="Bench team", organisatie=gemeente)
    melder, _c = User.objects.get_or_create(
        username="bench-melder", defaults={"rol": "melder", "organisatie": org}
    )
    _sql("DELETE FROM signalen_signaal WHERE melder_id = %s", [melder.pk])
    _sql("DELETE FROM casussen_casus WHERE team_id = %s", [team.pk])
    _sql("DELETE FROM casussen_huishouden WHERE buurt_bron = 'bench'")
    _sql("DELETE FROM toegang_datakey WHERE kek_version = 999999")
    b = _array(buurten)
    _sql(
        """INSERT INTO toegang_datakey (id, wrapped, kek_version, created_at)
        SELECT md5('k' || i)::uuid, '\\x00'::bytea, 999999, now() FROM generate_series(1, %s) i""",
        [n],
    )
    _sql(
        f"""INSERT INTO casussen_huishouden (id, data_key_id, created_at, buurt_code, buurt_bron)
        SELECT md5('h' || i)::uuid, md5('k' || i)::uuid, now(), ({b})[1 + i %% {len(buurten)}], 'bench'
        FROM generate_series(1, %s) i""",
        [n],
    )
    _sql(
        f"""INSERT INTO casussen_casus (id, huishouden_id, team_id, status, urgent, leefgebieden,
               version, opened_at, closed_at, last_activity_at, afsluitreden, grondslag, beperkt)
        SELECT md5('c' || i)::uuid, md5('h' || i)::uuid, %s,
               CASE WHEN i %% 5 < 3 THEN 'afgesloten' ELSE 'aangemeld' END, false, '[]'::jsonb, 1, o,
               CASE WHEN i %% 5 < 3 THEN o + (30 + i %% 270) * interval '1 day' END, o,
               CASE WHEN i %% 5 < 3 THEN 'doelen_bereikt' ELSE '' END, '', false
        FROM (SELECT i, now() - (i %% {dagen}) * interval '1 day' AS o FROM generate_series(1, %s) i) g""",
        [team.pk, n],
    )
    _sql(
        f"""INSERT INTO signalen_signaal (id, referentie, bron, toestemming, leefgebieden, urgent,
               veiligheid, buurt, omschrijving, status, status_gewijzigd_op, mogelijke_match, version,
               created_at, casus_id, huishouden_id, melder_id, organisatie_id, team_id)
        SELECT md5('s' || i)::uuid, 'B' || i, 'api', ({_array(TOESTEMMING)})[1 + i %% 3],
               '["wonen"]'::jsonb, false, false, '', '\\x00'::bytea, 'ontvangen', now(), '[]'::jsonb, 1,
               now() - (i %% {dagen}) * interval '1 day',
               CASE WHEN i %% 5 = 0 THEN md5('c' || (i / 5))::uuid END,
               md5('h' || (1 + i %% %s))::uuid, %s, %s, %s
        FROM generate_series(1, %s) i""",
        [n, melder.pk, org.pk, team.pk, 5 * n],
    )


def _direct(start: Any, einde: Any) -> None:
    """The quarter's counts straight from the source tables (what the monitor replaces)."""
    _sql(
        """SELECT h.buurt_code, o.soort, s.toestemming, date_trunc('month', s.created_at),
                  count(*), count(s.casus_id)
           FROM signalen_signaal s JOIN casussen_huishouden h ON h.id = s.huishouden_id
           JOIN toegang_organisatie o ON o.id = s.organisatie_id
           WHERE s.created_at >= %s AND s.created_at < %s GROUP BY 1, 2, 3, 4""",
        [start, einde],
    )
    _sql(
        """SELECT h.buurt_code,
                  count(*) FILTER (WHERE c.opened_at >= %s),
                  count(*) FILTER (WHERE c.closed_at >= %s AND c.closed_at < %s),
                  count(*) FILTER (WHERE c.closed_at IS NULL OR c.closed_at >= %s)
           FROM casussen_casus c JOIN casussen_huishouden h ON h.id = c.huishouden_id
           WHERE c.opened_at < %s GROUP BY 1""",
        [start, start, einde, einde, einde],
    )


def _timed(fn: Any, herhalingen: int, *, koud: bool = False) -> list[float]:
    """Milliseconds per call. ``koud``: the figures computed anew each time (the state of
    the projection changes with every event, so under intake load each view is cold)."""
    from monitor import figures

    fn()  # warm up
    times = []
    for _i in range(herhalingen):
        if koud:
            figures._CIJFERS.clear()
            figures._PATRONEN.clear()
        begin = time.perf_counter()
        fn()
        times.append((time.perf_counter() - begin) * 1000)
    return times


def _lag(events: int, rate: float) -> list[float]:
    """Emit ``events`` signaal.ontvangen rows at ``rate``/s with the worker job running as
    the worker runs it: again at once while busy, after its interval when idle."""
    from django.db import close_old_connections, transaction

    from monitor.projection import consume_round
    from toegang import events as outbox
    from toegang import worker as jobs
    from toegang.events.models import OutboxEvent

    stop = threading.Event()
    job = next(j for j in jobs.jobs() if j.name == "monitor_projectie")

    def worker() -> None:
        while not stop.is_set():
            if not job.run():
                stop.wait(job.interval)
        close_old_connections()

    thread = threading.Thread(target=worker, daemon=True)
    consume_round(batch=1_000_000)  # start from an empty backlog
    thread.start()
    first = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for i in range(events):
        with transaction.atomic():
            outbox.emit(
                "signaal.ontvangen",
                aggregate_type="signaal",
                aggregate_id=uuid.uuid4(),
                version=1,
                data={
                    "buurt": "BU02730001",
                    "toestemming": "met_toestemming",
                    "leefgebieden": ["wonen"],
                },
                created_in_this_transaction=True,
            )
        time.sleep(max(0.0, 1 / rate - 0.001) if i % 10 == 9 else 0)
    deadline = time.monotonic() + 60
    while OutboxEvent.objects.filter(id__gt=first, projected_at__isnull=True).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    stop.set()
    thread.join(5)
    rows = OutboxEvent.objects.filter(id__gt=first, projected_at__isnull=False)
    return [(p - c).total_seconds() for c, p in rows.values_list("created_at", "projected_at")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--casussen", type=int, default=20_000, help="N (signals: 5N)")
    parser.add_argument("--herhalingen", type=int, default=20)
    parser.add_argument("--lag-events", type=int, default=2000)
    parser.add_argument("--lag-rate", type=float, default=200.0, help="events per second")
    parser.add_argument("--opnieuw", action="store_true", help="gegevens opnieuw genereren")
    args = parser.parse_args(argv)
    _setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    if connection.vendor != "postgresql":
        print("monitor_bench: needs PostgreSQL (DATABASE_URL)", file=sys.stderr)
        return 2
    from monitor import demo
    from monitor.figures import Kwartaal
    from monitor.models import Buurt, CasusFeit
    from tests.auth import verified_login
    from toegang.models import Organisatie, User
    from toegang.roles import Rol

    demo.buurten_laden_uit_bestand(str(demo.CSV))
    buurten = list(Buurt.objects.values_list("code", flat=True))
    if args.opnieuw or CasusFeit.objects.count() != args.casussen:
        begin = time.perf_counter()
        _generate(args.casussen, buurten, dagen=91 * KWARTALEN)
        print(
            f"generated {args.casussen} casussen, {5 * args.casussen} signals in {time.perf_counter() - begin:.0f} s"
        )
    gemeente, _c = Organisatie.objects.get_or_create(
        naam="Bench gemeente", defaults={"soort": "gemeente"}
    )
    beleid, _c = User.objects.get_or_create(
        username="bench-beleid", defaults={"rol": Rol.BELEIDSADVISEUR, "organisatie": gemeente}
    )
    client = Client(SERVER_NAME="localhost")
    verified_login(client, beleid)
    q = Kwartaal.van(timezone.localdate()).vorige()
    from toegang.services import api_token_create

    token = api_token_create(user=beleid, naam=f"bench-{uuid.uuid4().hex[:6]}").plaintext

    def page() -> Any:
        return client.get("/monitor/", {"kwartaal": str(q)})

    def api() -> Any:
        return client.get(f"/api/v1/monitor/kwartalen/{q}", HTTP_AUTHORIZATION=f"Bearer {token}")

    direct = _timed(lambda: _direct(q.start(), q.einde()), args.herhalingen)
    from monitor.models import Teller

    print(
        f"quarter {q}, {args.casussen} casussen / {5 * args.casussen} signals, {args.herhalingen} runs;"
        f" counters: {Teller.objects.count()} rows, {Teller.objects.filter(kwartaal=str(q)).count()} in {q}"
    )
    for naam, fn, koud in (
        ("monitor page (4 quarters), warm", page, False),
        ("monitor page (4 quarters), cold", page, True),
        ("API one quarter, warm", api, False),
        ("API one quarter, cold", api, True),
    ):
        times = _timed(fn, args.herhalingen, koud=koud)
        print(
            f"  {naam:34} p50 {statistics.median(times):8.1f} ms  p95 {_p(times, 0.95):8.1f} ms"
            f"  ratio p95 / direct p95 {_p(times, 0.95) / _p(direct, 0.95):6.2f}"
        )
    print(
        f"  {'direct aggregate over sources':34} p50 {statistics.median(direct):8.1f} ms  p95 {_p(direct, 0.95):8.1f} ms"
    )
    lags = _lag(args.lag_events, args.lag_rate)
    if lags:
        print(
            f"  projection lag ({len(lags)} events at {args.lag_rate:.0f}/s): p50 {statistics.median(lags) * 1000:.0f} ms  p99 {_p(lags, 0.99) * 1000:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
