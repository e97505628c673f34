"""Forms of the console. What identifies a resident only ever arrives by POST."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import Actie, Oordeel
from toegang.widgets import DateInput


def is_valid_bsn(value: str) -> bool:
    """Nine digits that pass the elfproef (weights 9..2 and -1)."""
    if len(value) != 9 or not value.isdigit():
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    total = sum(int(d) * w for d, w in zip(value, weights, strict=True))
    return total % 11 == 0 and value != "000000000"


class ResidentFields(forms.Form):
    bsn = forms.CharField(
        label=_("BSN"),
        required=False,
        max_length=9,
        min_length=9,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Negen cijfers."),
    )
    achternaam = forms.CharField(
        label=_("Achternaam"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    geboortedatum = forms.DateField(
        label=_("Geboortedatum"),
        required=False,
        widget=DateInput(attrs={"autocomplete": "off"}),
    )

    resident_required = False

    def clean_bsn(self) -> str:
        bsn = (self.cleaned_data.get("bsn") or "").strip()
        if bsn and not is_valid_bsn(bsn):
            raise forms.ValidationError(_("Dit is geen geldig BSN (elfproef)."))
        return bsn

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        bsn, naam, geboren = data.get("bsn"), data.get("achternaam"), data.get("geboortedatum")
        if bsn and (naam or geboren):
            raise forms.ValidationError(
                _("Zoek op BSN of op achternaam en geboortedatum, niet op allebei.")
            )
        if bool(naam) != bool(geboren) and not self.errors:
            raise forms.ValidationError(_("Vul zowel de achternaam als de geboortedatum in."))
        if self.resident_required and not (bsn or (naam and geboren)) and not self.errors:
            raise forms.ValidationError(_("Vul een BSN in, of een achternaam en geboortedatum."))
        return data

    @property
    def has_resident(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("bsn") or (data.get("achternaam") and data.get("geboortedatum")))

    def resident_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "bsn": data.get("bsn") or None,
            "achternaam": data.get("achternaam") or None,
            "geboortedatum": data.get("geboortedatum"),
        }


class SearchForm(ResidentFields):
    gebruiker = forms.CharField(
        label=_("Gebruiker (gebruikersnaam)"), required=False, max_length=150
    )
    object_id = forms.CharField(
        label=_("Casus of object (id)"),
        required=False,
        max_length=64,
        help_text=_("Het nummer van de casus, het signaal of een ander object."),
    )
    actie = forms.ChoiceField(
        label=_("Handeling"), required=False, choices=[("", _("Alle handelingen")), *Actie.choices]
    )
    van = forms.DateField(
        label=_("Van"),
        required=False,
        widget=DateInput(),
    )
    tot = forms.DateField(
        label=_("Tot en met"),
        required=False,
        widget=DateInput(),
    )
    na = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        van, tot = data.get("van"), data.get("tot")
        if van and tot and van > tot:
            raise forms.ValidationError(_("De begindatum ligt na de einddatum."))
        return data


class InzageForm(ResidentFields):
    resident_required = True


class ReviewForm(forms.Form):
    sleutel = forms.CharField(max_length=100, widget=forms.HiddenInput)
    oordeel = forms.ChoiceField(
        label=_("Oordeel"), choices=Oordeel.choices, widget=forms.RadioSelect
    )
    opmerking = forms.CharField(
        label=_("Toelichting"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
