"""``/signalen/casus/<id>/``: the casus's signals, reachable only through the casus."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from audit.models import Actie, AuditRecord
from casussen.services.betrokkenen import betrokkene_add
from signalen.models import Signaal, Status
from signalen.services import signaal_receive
from tests.signalen import factories
from toegang.events.models import OutboxEvent
from toegang.roles import Rol


def _gekoppeld(huisarts, casus) -> Signaal:
    signaal = signaal_receive(
        melder=huisarts,
        data=factories.body(
            inwoner={"achternaam": "Boer", "bsn": factories.BSN}, omschrijving="Zorg <i>om</i> Jan"
        ),
    )
    assert signaal.casus == casus
    return signaal


def _url(casus, signaal=None, actie=""):
    base = f"/signalen/casus/{casus.pk}/"
    return f"{base}signaal/{signaal.pk}/{actie}/" if signaal else base


def test_the_aanspreekpunt_sees_the_signals_with_the_feedback_form(
    login, huisarts, consulent, bekende_casus
):
    signaal = _gekoppeld(huisarts, bekende_casus)
    html = login(consulent).get(_url(bekende_casus)).content.decode()

    assert signaal.referentie in html
    assert "Zorg &lt;i&gt;om&lt;/i&gt; Jan" in html
    assert "Terugkoppeling opslaan" in html
    rec = AuditRecord.objects.filter(user_id=consulent.pk, actie=Actie.READ).latest("id")
    assert rec.object_ids == [str(signaal.pk)]
    assert rec.huishouden_id == bekende_casus.huishouden_id


def test_someone_without_access_to_the_casus_gets_404(
    login, huisarts, make_user, bekende_casus, melder
):
    signaal = _gekoppeld(huisarts, bekende_casus)
    for user in (make_user(Rol.CONSULENT), make_user(Rol.TEAMLEIDER), huisarts, melder):
        client = login(user)
        assert client.get(_url(bekende_casus)).status_code in (403, 404)
        response = client.post(
            _url(bekende_casus, signaal, "terugkoppeling"), {f"s-{signaal.pk}-status": "afgerond"}
        )
        assert response.status_code in (403, 404)
    signaal.refresh_from_db()
    assert signaal.status == Status.ONTVANGEN


def test_a_view_only_betrokkene_sees_the_signals_but_cannot_give_feedback(
    login, huisarts, make_user, consulent, bekende_casus
):
    signaal = _gekoppeld(huisarts, bekende_casus)
    kijker = make_user(Rol.CONSULENT)
    betrokkene_add(
        casus=bekende_casus,
        user=kijker,
        reden="Overleg",
        eind_datum=timezone.localdate() + timedelta(days=7),
        by=consulent,
    )
    client = login(kijker)

    html = client.get(_url(bekende_casus)).content.decode()
    assert signaal.referentie in html
    assert "Terugkoppeling opslaan" not in html
    response = client.post(
        _url(bekende_casus, signaal, "terugkoppeling"),
        {f"s-{signaal.pk}-status": "afgerond"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 404
    signaal.refresh_from_db()
    assert signaal.status == Status.ONTVANGEN


def test_the_aanspreekpunt_sends_feedback_with_htmx_and_the_melder_gets_an_event(
    login, huisarts, consulent, bekende_casus
):
    signaal = _gekoppeld(huisarts, bekende_casus)
    response = login(consulent).post(
        _url(bekende_casus, signaal, "terugkoppeling"),
        {f"s-{signaal.pk}-status": "opgepakt", f"s-{signaal.pk}-bericht": "We nemen contact op."},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    signaal.refresh_from_db()
    assert (signaal.status, signaal.terugkoppeling) == (Status.OPGEPAKT, "We nemen contact op.")
    event = OutboxEvent.objects.filter(event_type="signaal.status_gewijzigd").get()
    assert event.payload == {"status": "opgepakt", "organisatie_id": str(huisarts.organisatie_id)}
    assert AuditRecord.objects.filter(
        actie=Actie.UPDATE, object_id=str(signaal.pk), user_id=consulent.pk
    ).exists()


def test_without_javascript_feedback_returns_to_the_case_page(
    login, huisarts, consulent, bekende_casus
):
    signaal = _gekoppeld(huisarts, bekende_casus)
    response = login(consulent).post(
        _url(bekende_casus, signaal, "terugkoppeling"),
        {f"s-{signaal.pk}-status": "afgerond", f"s-{signaal.pk}-bericht": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/casussen/{bekende_casus.pk}/"


def test_feedback_of_a_signal_of_another_casus_is_refused(
    login, huisarts, consulent, bekende_casus, melder
):
    ander = signaal_receive(melder=melder, data=factories.anoniem())
    response = login(consulent).post(
        _url(bekende_casus, ander, "terugkoppeling"), {f"s-{ander.pk}-status": "afgerond"}
    )
    assert response.status_code == 404


def test_too_long_feedback_is_refused_with_a_message(login, huisarts, consulent, bekende_casus):
    signaal = _gekoppeld(huisarts, bekende_casus)
    response = login(consulent).post(
        _url(bekende_casus, signaal, "terugkoppeling"),
        {f"s-{signaal.pk}-status": "afgerond", f"s-{signaal.pk}-bericht": "x" * 501},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    signaal.refresh_from_db()
    assert signaal.status == Status.ONTVANGEN
