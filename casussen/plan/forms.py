"""Forms of the plan pages: they parse input; the services decide what is valid."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casussen import leefgebieden
from casussen.plan.constants import (
    SCORE_MAX,
    SCORE_MIN,
    ActieStatus,
    Dimensie,
    DoelUitkomst,
    EigenaarSoort,
    Trede,
)
from toegang.widgets import DateInput

_SCORE_ERRORS = {
    "required": _("Vul voor elke dimensie een score in."),
    "invalid": _("Vul een heel getal van 0 tot en met 10 in."),
    "min_value": _("Een score ligt tussen 0 en 10."),
    "max_value": _("Een score ligt tussen 0 en 10."),
}
_DATE_ERRORS = {"required": _("Vul een datum in."), "invalid": _("Vul een geldige datum in.")}


def _date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), error_messages=_DATE_ERRORS, **kwargs)


def set_choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form's fields (or on the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class PlanStartForm(forms.Form):
    startdatum = _date_field(_("Startdatum van het plan"), initial=timezone.localdate)


class MetingForm(forms.Form):
    """The six scores with the resident's words; notes per leefgebied at the uitvraag."""

    datum = _date_field(_("Datum van het gesprek"), initial=timezone.localdate)
    gezinslid = forms.ChoiceField(label=_("Van wie zijn deze scores?"), required=False)

    def __init__(
        self,
        *args: Any,
        gezinsleden: Iterable[tuple[str, str]] = (),
        uitvraag: bool = True,
        doelen: Iterable[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "gezinslid", [("", _("Het huishouden als geheel")), *gezinsleden])
        for code, label in Dimensie.choices:
            self.fields[code] = forms.IntegerField(
                label=label,
                min_value=SCORE_MIN,
                max_value=SCORE_MAX,
                error_messages=_SCORE_ERRORS,
                widget=forms.NumberInput(
                    attrs={"min": SCORE_MIN, "max": SCORE_MAX, "step": 1, "inputmode": "numeric"}
                ),
            )
            self.fields[f"toelichting_{code}"] = forms.CharField(
                label=_("In de woorden van de inwoner"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.leefgebied_codes: list[str] = []
        if uitvraag:
            for code, leefgebied in leefgebieden.choices():
                self.leefgebied_codes.append(code)
                self.fields[f"notitie_{code}"] = forms.CharField(
                    label=leefgebied,
                    required=False,
                    max_length=10_000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
        self.doel_ids: list[str] = []
        for doel_id, tekst in doelen:
            self.doel_ids.append(doel_id)
            self.fields[f"uitkomst_{doel_id}"] = forms.ChoiceField(
                label=tekst,
                required=False,
                choices=[("", _("Nog niet beoordelen")), *DoelUitkomst.choices],
            )

    def dimensie_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[code], self[f"toelichting_{code}"]) for code in Dimensie.values]

    def notitie_fields(self) -> list[forms.BoundField]:
        return [self[f"notitie_{code}"] for code in self.leefgebied_codes]

    def uitkomst_fields(self) -> list[forms.BoundField]:
        return [self[f"uitkomst_{doel_id}"] for doel_id in self.doel_ids]

    def scores(self) -> dict[str, int]:
        return {code: self.cleaned_data[code] for code in Dimensie.values}

    def toelichtingen(self) -> dict[str, str]:
        return {code: self.cleaned_data[f"toelichting_{code}"] for code in Dimensie.values}

    def notities(self) -> dict[str, str]:
        return {
            code: self.cleaned_data[f"notitie_{code}"]
            for code in self.leefgebied_codes
            if self.cleaned_data[f"notitie_{code}"].strip()
        }

    def uitkomsten(self) -> dict[str, str]:
        return {
            doel_id: self.cleaned_data[f"uitkomst_{doel_id}"]
            for doel_id in self.doel_ids
            if self.cleaned_data[f"uitkomst_{doel_id}"]
        }


class DoelForm(forms.Form):
    tekst = forms.CharField(
        label=_("Het doel, in de woorden van de inwoner"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Schrijf het doel op in de woorden van de inwoner.")},
    )
    gezinsleden = forms.MultipleChoiceField(
        label=_("Voor wie"), required=False, widget=forms.CheckboxSelectMultiple
    )
    dimensies = forms.MultipleChoiceField(
        label=_("Dimensies van Positieve Gezondheid"),
        required=False,
        choices=Dimensie.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    leefgebieden = forms.MultipleChoiceField(
        label=_("Leefgebieden"), required=False, widget=forms.CheckboxSelectMultiple
    )
    versie = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, gezinsleden: Iterable[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "gezinsleden", list(gezinsleden))
        set_choices(self, "leefgebieden", leefgebieden.choices())


class ActieForm(forms.Form):
    omschrijving = forms.CharField(
        label=_("Wat gaat er gebeuren?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Beschrijf wat er gaat gebeuren.")},
    )
    eigenaar_soort = forms.ChoiceField(
        label=_("Wie doet het?"),
        choices=EigenaarSoort.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies wie de actie uitvoert.")},
    )
    eigenaar_omschrijving = forms.CharField(
        label=_("Naam of organisatie (optioneel)"),
        required=False,
        max_length=200,
        help_text=_("Bijvoorbeeld: buurvrouw Els, Schuldhulpmaatje, Financieel Café."),
    )
    eigenaar = forms.ChoiceField(
        label=_("Medewerker die de actie bijhoudt (optioneel)"),
        required=False,
        help_text=_("Alleen medewerkers met toegang tot deze casus."),
    )
    deadline = _date_field(_("Klaar op"))
    trede = forms.TypedChoiceField(
        label=_("Trede van de ondersteuningspiramide"),
        choices=Trede.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies een trede.")},
    )
    reden_zwaar = forms.CharField(
        label=_("Waarom is zwaardere ondersteuning nodig?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    versie = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, medewerkers: Iterable[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "eigenaar", [("", _("Geen")), *medewerkers])


class ActieStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActieStatus.choices)


class VaststellenForm(forms.Form):
    datum = _date_field(_("Datum van het gesprek"), initial=timezone.localdate)
    aanwezig = forms.MultipleChoiceField(
        label=_("Wie waren er aanwezig?"), required=False, widget=forms.CheckboxSelectMultiple
    )
    anderen = forms.CharField(
        label=_("Andere aanwezigen (één per regel)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    versie = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, personen: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "aanwezig", [(naam, naam) for naam in personen])

    def namen(self) -> list[str]:
        return [*self.cleaned_data["aanwezig"], *self.cleaned_data["anderen"].splitlines()]
