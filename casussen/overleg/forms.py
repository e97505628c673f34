"""Forms of the overleg pages; labels and messages in Dutch. The services validate again."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from casussen import leefgebieden as lg
from casussen.overleg.models import AfspraakEigenaar, Deelgrondslag, Sessie
from casussen.overleg.selectors import deelnemers_of, open_sessies_for_inbreng
from casussen.plan.constants import ActieStatus, Trede
from toegang.models import Organisatie, User
from toegang.widgets import DateInput


def _qs(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    return cast(forms.ModelChoiceField, form.fields[name])


class _Deelnemer(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        org = obj.organisatie.naam if obj.organisatie_id else ""
        naam = obj.get_full_name() or obj.get_username()
        return f"{naam} ({org})" if org else naam


class InbrengForm(forms.Form):
    sessie = forms.ModelChoiceField(
        label=_("Overleg"), queryset=Sessie.objects.none(), empty_label=_("Kies een overleg")
    )
    hulpvraag = forms.CharField(label=_("Hulpvraag"), widget=forms.Textarea(attrs={"rows": 3}))
    geprobeerd = forms.CharField(
        label=_("Wat is al geprobeerd?"), widget=forms.Textarea(attrs={"rows": 3})
    )
    vraag = forms.CharField(
        label=_("Vraag aan het overleg"), widget=forms.Textarea(attrs={"rows": 2})
    )
    leefgebieden = forms.MultipleChoiceField(
        label=_("Leefgebieden"), choices=lg.choices, widget=forms.CheckboxSelectMultiple
    )
    grondslag = forms.ChoiceField(
        label=_("Grondslag voor het delen"),
        required=False,
        choices=[("", _("Kies een grondslag")), *Deelgrondslag.choices],
    )
    toestemming_datum = forms.DateField(
        label=_("Datum toestemming"),
        required=False,
        widget=DateInput(),
        help_text=_("Alleen bij toestemming van de inwoner."),
    )
    toelichting = forms.CharField(
        label=_("Reikwijdte van de toestemming of toelichting op de grondslag"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bij toestemming: waarvoor en met wie. Anders: waarom delen nodig is."),
    )
    gedeeld_met = _Deelnemer(
        label=_("Delen met"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Alleen deze deelnemers zien de samenvatting; "
            "de anderen zien alleen dat de casus besproken wordt."
        ),
    )

    def __init__(self, *args: Any, sessie: Sessie | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "sessie").queryset = open_sessies_for_inbreng()
        chosen = sessie or self._chosen_sessie()
        if chosen is not None:
            _qs(self, "gedeeld_met").queryset = deelnemers_of(chosen.overleg)
        else:
            from casussen.overleg.selectors import eligible_participants

            # Validated against the chosen session's participants by the service (403).
            _qs(self, "gedeeld_met").queryset = eligible_participants()

    def _chosen_sessie(self) -> Sessie | None:
        value = self.data.get("sessie") if self.is_bound else self.initial.get("sessie")
        if not value:
            return None
        try:
            key = uuid.UUID(str(getattr(value, "pk", value)))
        except ValueError:
            return None
        return open_sessies_for_inbreng().filter(pk=key).first()


class AfspraakForm(forms.Form):
    omschrijving = forms.CharField(label=_("Afspraak"), widget=forms.Textarea(attrs={"rows": 2}))
    eigenaar_soort = forms.ChoiceField(
        label=_("Wie voert het uit?"),
        required=False,
        choices=[("", _("Kies de eigenaar")), *AfspraakEigenaar.choices],
    )
    organisatie = forms.ModelChoiceField(
        label=_("Organisatie"), queryset=Organisatie.objects.none(), required=False
    )
    datum = forms.DateField(label=_("Klaar op"), required=False, widget=DateInput())
    trede = forms.TypedChoiceField(
        label=_("Trede"), choices=Trede.choices, coerce=int, initial=Trede.ALGEMENE_VOORZIENING
    )

    def __init__(self, *args: Any, sessie: Sessie, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_ids = deelnemers_of(sessie.overleg).values_list("organisatie_id", flat=True)
        _qs(self, "organisatie").queryset = Organisatie.objects.filter(
            pk__in=org_ids, overleg_deelnemer=True
        )


class OverlegForm(forms.Form):
    naam = forms.CharField(label=_("Naam"), max_length=200)
    schema = forms.CharField(
        label=_("Wanneer"),
        max_length=200,
        required=False,
        help_text=_("Bijvoorbeeld: elke tweede dinsdag van de maand, 10.00 uur."),
    )
    deelnemers: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Vaste deelnemers"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Consulenten en medewerkers van partnerorganisaties die aan overleggen deelnemen."
        ),
    )

    def __init__(self, *args: Any, deelnemers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["deelnemers"])
        field.queryset = deelnemers
        field.label_from_instance = _deelnemer_label  # type: ignore[method-assign,assignment]


def _deelnemer_label(user: Any) -> str:
    organisatie = getattr(user.organisatie, "naam", "")
    return f"{user.weergavenaam} ({organisatie})" if organisatie else str(user.weergavenaam)


class SessieForm(forms.Form):
    begint_op = forms.DateTimeField(
        label=_("Begint op"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duur = forms.IntegerField(label=_("Duur in minuten"), min_value=30, max_value=480, initial=120)


class VerslagForm(forms.Form):
    verslag = forms.CharField(label=_("Verslag"), widget=forms.Textarea(attrs={"rows": 3}))


class BevestigForm(forms.Form):
    doel: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Bij welk doel?"), queryset=None, empty_label=None
    )
    reden_zwaar = forms.CharField(
        label=_("Waarom zwaardere ondersteuning?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Alleen nodig als het doel nog geen actie op trede 1 of 2 heeft."),
    )

    def __init__(self, *args: Any, doelen: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["doel"])
        field.queryset = doelen
        field.label_from_instance = lambda d: d.tekst  # type: ignore[method-assign,assignment]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActieStatus.choices)


class AanwezigForm(forms.Form):
    aanwezig = _Deelnemer(
        label=_("Aanwezig"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["aanwezig"]).queryset = people
