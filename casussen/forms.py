"""Forms of the casus pages; labels and messages in Dutch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.forms import ResidentFields
from casussen import leefgebieden as lg
from casussen.models import Afsluitreden, Casus, Grondslag
from casussen.models.rechten import Verzoeksoort
from casussen.selectors import ACTIVITEIT_DAGEN
from casussen.services.rechten import CORRIGEERBAAR
from toegang.models import User
from toegang.roles import Rol
from toegang.widgets import DateInput


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("Alle open")), ("alle", _("Alle")), *Casus.Status.choices],
    )
    leefgebied = forms.ChoiceField(label=_("Leefgebied"), required=False)
    urgent = forms.BooleanField(label=_("Alleen urgent"), required=False)
    activiteit = forms.TypedChoiceField(
        label=_("Laatste activiteit"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Altijd"))]
        + [(str(d), _("Afgelopen %(n)s dagen") % {"n": d}) for d in ACTIVITEIT_DAGEN],
    )
    sort = forms.ChoiceField(
        label=_("Sorteren op"),
        required=False,
        choices=[
            ("-activiteit", _("Laatste activiteit, nieuwste eerst")),
            ("activiteit", _("Laatste activiteit, oudste eerst")),
            ("urgent", _("Urgent eerst")),
            ("-geopend", _("Geopend, nieuwste eerst")),
            ("geopend", _("Geopend, oudste eerst")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leefgebied = self.fields["leefgebied"]
        assert isinstance(leefgebied, forms.ChoiceField)
        leefgebied.choices = [("", _("Alle")), *lg.choices()]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nieuwe status"), choices=Casus.Status.choices)
    afsluitreden = forms.ChoiceField(
        label=_("Reden van afsluiten"),
        choices=[("", _("(alleen bij afsluiten)")), *Afsluitreden.choices],
        required=False,
        help_text=_("Verplicht als u de casus afsluit."),
    )
    grondslag = forms.ChoiceField(
        label=_("Wettelijke grondslag"),
        choices=[("", _("(alleen bij afsluiten)")), *Grondslag.choices],
        required=False,
        help_text=_("De wet waaronder hulp is gegeven; bepaalt de bewaartermijn."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AfsluitingForm(forms.Form):
    afsluitreden = forms.ChoiceField(label=_("Reden van afsluiten"), choices=Afsluitreden.choices)
    grondslag = forms.ChoiceField(label=_("Wettelijke grondslag"), choices=Grondslag.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def consulent_choices(
    *, exclude: Sequence[int | None], met_caseload: bool = False
) -> forms.ModelChoiceField:
    """Consultants by name; ``met_caseload`` adds their open casussen, to assign with it in view."""
    queryset = (
        User.objects.filter(rol=Rol.CONSULENT, is_active=True, is_api_client=False)
        .exclude(pk__in=[pk for pk in exclude if pk is not None])
        .select_related("organisatie")
        .order_by("last_name", "first_name")
    )
    if met_caseload:
        queryset = queryset.annotate(
            open_count=Count(
                "casussen_als_aanspreekpunt",
                filter=~Q(casussen_als_aanspreekpunt__status=Casus.Status.AFGESLOTEN),
            )
        )
    field = forms.ModelChoiceField(queryset=queryset, label=_("Consulent"))

    def label(user: Any) -> str:
        naam = (
            f"{user.weergavenaam} ({user.organisatie})" if user.organisatie else user.weergavenaam
        )
        if not met_caseload:
            return str(naam)
        aantal = ngettext("%(n)d open casus", "%(n)d open casussen", user.open_count)
        return f"{naam} — {aantal % {'n': user.open_count}}"

    field.label_from_instance = label  # type: ignore[method-assign,assignment]
    return field


class OverdrachtForm(forms.Form):
    notitie = forms.CharField(
        label=_("Notitie voor de nieuwe consulent"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    blijft_betrokkene = forms.BooleanField(
        label=_("Vorig aanspreekpunt blijft betrokken (alleen lezen, 90 dagen)"), required=False
    )

    def __init__(self, *args: Any, exclude: Sequence[int | None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"naar": consulent_choices(exclude=exclude, met_caseload=True), **self.fields}
        self.fields["naar"].label = _("Nieuw aanspreekpunt")


class BetrokkeneForm(forms.Form):
    reden = forms.CharField(label=_("Reden"), max_length=300)
    eind_datum = forms.DateField(
        label=_("Toegang tot en met"),
        widget=DateInput(),
        help_text=_("Hooguit een jaar vooruit."),
    )
    schrijfrecht = forms.BooleanField(label=_("Mag ook wijzigen"), required=False)

    def __init__(self, *args: Any, exclude: Sequence[int | None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"user": consulent_choices(exclude=exclude), **self.fields}
        self.fields["user"].label = _("Professional")
        self.fields["eind_datum"].initial = timezone.localdate() + timedelta(days=90)


class NoodtoegangForm(forms.Form):
    reden = forms.CharField(
        label=_("Reden voor noodtoegang"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Deze reden wordt vastgelegd en door de privacy officer beoordeeld."),
    )


class RechtenverzoekForm(ResidentFields):
    """A resident's request as the privacy officer registers it."""

    resident_required = True

    soort = forms.ChoiceField(label=_("Soort verzoek"), choices=Verzoeksoort.choices)
    ontvangen_op = forms.DateField(
        label=_("Ontvangen op"),
        required=False,
        widget=DateInput(),
        help_text=_("Leeg: vandaag. De termijn van een maand loopt vanaf deze datum."),
    )
    reden = forms.CharField(
        label=_("Wat vraagt de inwoner, en waarom?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Geef aan wat de inwoner vraagt.")},
    )
    veld = forms.ChoiceField(
        label=_("Te corrigeren gegeven (alleen bij correctie)"),
        required=False,
        choices=[("", "—"), *CORRIGEERBAAR.items()],
    )
    nieuwe_waarde = forms.CharField(
        label=_("Juiste waarde volgens de inwoner (alleen bij correctie)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class VerzoekRedenForm(forms.Form):
    reden = forms.CharField(
        label=_("Reden"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Geef de reden.")},
    )
