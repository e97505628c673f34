"""The "Nieuw signaal" form: collects what the melder typed; the rules are in
``signalen.validation`` (shared with the API), whose messages land on the fields here."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from casussen.leefgebieden import LEEFGEBIEDEN
from signalen.models import MAX_TERUGKOPPELING, Status, Toestemming
from signalen.services.terugkoppeling import KEUZES
from signalen.validation import INWONER_KEYS, MAX_CONTACTROUTE, MAX_OMSCHRIJVING, MAX_ONDERWERP
from toegang.models import Organisatie
from toegang.widgets import DateInput

TOESTEMMING_UITLEG = {
    Toestemming.MET: _(
        "De inwoner weet ervan en vindt het goed. U mag naam en contactgegevens doorgeven."
    ),
    Toestemming.ZONDER: _(
        "De inwoner weet het niet of wil het niet. Geef alleen een anonieme zorg door: "
        "geen naam, adres of andere gegevens waarmee iemand herkend kan worden."
    ),
    Toestemming.WARME_OVERDRACHT: _(
        "De inwoner wil een consulent spreken. U vertelt hoe de consulent via u contact kan leggen."
    ),
}

URGENTIE = [
    ("normaal", _("Niet dringend: binnen een paar dagen")),
    ("urgent", _("Dringend: vandaag of morgen")),
]

_TEXT = forms.TextInput


def _text(label: Any, *, autocomplete: str = "off", **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=_TEXT(attrs={"autocomplete": autocomplete, **attrs}),
    )


class SignaalForm(forms.Form):
    toestemming = forms.ChoiceField(
        label=_("Heeft de inwoner toestemming gegeven?"),
        choices=Toestemming.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Kies een van de drie mogelijkheden.")},
    )
    voornaam = _text(_("Voornaam"))
    achternaam = _text(_("Achternaam"))
    geboortedatum = forms.CharField(
        label=_("Geboortedatum"),
        required=False,
        help_text=_("Bijvoorbeeld 31-12-1960."),
        widget=DateInput(attrs={"autocomplete": "off"}),
    )
    bsn = _text(_("BSN"), inputmode="numeric")
    straat = _text(_("Straat"))
    huisnummer = _text(_("Huisnummer"))
    postcode = _text(_("Postcode"))
    woonplaats = _text(_("Woonplaats"))
    telefoon = forms.CharField(
        label=_("Telefoonnummer"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    buurt = _text(_("Buurt"))
    leefgebieden = forms.MultipleChoiceField(
        label=_("Waar maakt u zich zorgen over?"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Onbekend leefgebied.")},
    )
    omschrijving = forms.CharField(
        label=_("Wat zag of hoorde u?"),
        required=False,
        help_text=_("Kort en feitelijk. Maximaal %(limit)s tekens.") % {"limit": MAX_OMSCHRIJVING},
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_OMSCHRIJVING}),
    )
    urgentie = forms.ChoiceField(
        label=_("Hoe dringend is het?"),
        choices=URGENTIE,
        initial="normaal",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Kies hoe dringend het is.")},
    )
    veiligheid = forms.BooleanField(
        label=_("Ik maak me zorgen over de veiligheid (geweld, mishandeling of verwaarlozing)"),
        required=False,
    )
    contactroute = forms.CharField(
        label=_("Hoe kan de consulent via u contact leggen?"),
        required=False,
        help_text=_("Bijvoorbeeld: bel het inloophuis, dinsdagochtend is de inwoner er."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_CONTACTROUTE}),
    )
    onderwerp = forms.CharField(
        label=_("Onderwerp voor uzelf (optioneel)"),
        required=False,
        max_length=MAX_ONDERWERP,
        help_text=_(
            "Een paar woorden zonder naam, zodat u dit signaal later herkent in Mijn signalen. "
            "Bijvoorbeeld: zorgen over de huur. Leeg laten mag: dan ziet u de leefgebieden en "
            "de datum."
        ),
    )
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput)

    #: Fields that identify the resident: blocked without consent.
    IDENTIFYING = (
        "voornaam",
        "achternaam",
        "geboortedatum",
        "bsn",
        "straat",
        "huisnummer",
        "postcode",
        "woonplaats",
        "telefoon",
    )

    def __init__(self, *args: Any, organisatie: Organisatie, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", str(uuid.uuid4()))
        kwargs["initial"].setdefault("buurt", organisatie.buurt)
        super().__init__(*args, **kwargs)
        self.organisatie = organisatie
        cast(forms.MultipleChoiceField, self.fields["leefgebieden"]).choices = [
            (c, str(label)) for c, label in LEEFGEBIEDEN.items()
        ]
        self.fields["postcode"].help_text = _("Bijvoorbeeld 3881 AB.")
        self.fields["buurt"].help_text = (
            _(
                "Al ingevuld met de buurt van uw organisatie (%(buurt)s), omdat de meeste "
                "inwoners daar wonen. Woont de inwoner ergens anders, pas het dan aan."
            )
            % {"buurt": organisatie.buurt}
            if organisatie.buurt
            else _("De buurt waar de inwoner woont, als u dat weet.")
        )
        if organisatie.mag_bsn_verwerken:
            self.fields["bsn"].help_text = _("9 cijfers. Alleen als u het zeker weet.")
        else:
            del self.fields["bsn"]
        for name in self.IDENTIFYING:
            if name in self.fields:
                self.fields[name].widget.attrs["data-identificerend"] = "1"

    @property
    def toestemming_keuzes(self) -> list[tuple[Any, Any]]:
        """The radio buttons with their explanation, for the template."""
        return [(radio, TOESTEMMING_UITLEG[radio.data["value"]]) for radio in self["toestemming"]]

    def as_service_data(self) -> dict[str, Any]:
        """What the melder typed, shaped like the API body (call after ``is_valid``).

        A BSN posted while the field is not shown is passed on, so the service refuses it.
        """
        data = self.cleaned_data
        inwoner = {name: data.get(name, "") for name in self.IDENTIFYING if name in self.fields}
        if "bsn" not in self.fields and self.data.get("bsn"):
            inwoner["bsn"] = self.data["bsn"]
        return {
            "toestemming": data.get("toestemming") or None,
            "inwoner": {k: v for k, v in inwoner.items() if v and k in INWONER_KEYS},
            "leefgebieden": list(data.get("leefgebieden") or []),
            "omschrijving": data.get("omschrijving", ""),
            "urgent": data.get("urgentie") == "urgent",
            "veiligheid": bool(data.get("veiligheid")),
            "buurt": data.get("buurt", ""),
            "contactroute": data.get("contactroute", ""),
            "onderwerp": data.get("onderwerp", ""),
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's per-field messages ("inwoner.bsn") on the form's fields."""
        for key, messages in error.message_dict.items():
            name = key.removeprefix("inwoner.")
            if name == "urgent":
                name = "urgentie"
            if name not in self.fields:
                name = None  # type: ignore[assignment]
            for message in messages:
                self.add_error(name, message)
        self.describe_fields()

    def describe_fields(self) -> None:
        """aria-describedby (help and error) and aria-invalid on each input."""
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            ids = []
            if field.help_text:
                ids.append(f"id_{name}_help")
            if name in self.errors:
                ids.append(f"id_{name}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids and not isinstance(
                field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
            ):
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) per error, in the order of the form."""
        items = [("#fouten", str(e)) for e in self.non_field_errors()]
        for name in self.fields:
            for message in self.errors.get(name, []):
                anchor = (
                    f"#id_{name}_0"
                    if name in ("toestemming", "leefgebieden", "urgentie")
                    else f"#id_{name}"
                )
                items.append((anchor, str(message)))
        return items


class TerugkoppelingForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status voor de melder"),
        choices=[(s.value, s.label) for s in KEUZES],
    )
    bericht = forms.CharField(
        label=_("Bericht aan de melder (optioneel)"),
        required=False,
        max_length=MAX_TERUGKOPPELING,
        help_text=_(
            "Kort en zonder inhoud over de casus, bijvoorbeeld: 'We hebben contact gelegd.'"
        ),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_TERUGKOPPELING}),
    )

    def __init__(self, *args: Any, huidig: Any = None, **kwargs: Any) -> None:
        """``huidig``: the signal's status now; preselected, or named first when it is not a
        status to choose (still "Ontvangen"), so saving never changes it unasked."""
        super().__init__(*args, **kwargs)
        self.fields["bericht"].widget.attrs["aria-describedby"] = f"{self['bericht'].auto_id}_help"
        if huidig is None:
            return
        if huidig in KEUZES:
            self.initial.setdefault("status", huidig)
        else:
            huidig_label = _("%(status)s (nu) — kies een nieuwe status") % {
                "status": Status(huidig).label
            }
            status = cast(forms.ChoiceField, self.fields["status"])
            status.choices = [("", huidig_label), *((s.value, s.label) for s in KEUZES)]
            self.initial.setdefault("status", "")
