from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from toegang.models import Organisatie, Team, User
from toegang.roles import Rol
from toegang.services import user_set_rol

PASSWORD = "test-wachtwoord-123"


class OrganisatieFactory(DjangoModelFactory):
    class Meta:
        model = Organisatie
        django_get_or_create = ("naam",)

    naam = factory.Sequence(lambda n: f"Organisatie {n}")
    soort = Organisatie.Soort.INLOOPHUIS
    buurt = "Centrum"


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    naam = factory.Sequence(lambda n: f"Team {n}")
    organisatie = factory.SubFactory(OrganisatieFactory, soort=Organisatie.Soort.GEMEENTE)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    # Not random names: a generated "Jan" or "de Boer" would collide with the residents'
    # names that tests assert are absent from a page, and with the review rule that
    # flags a user opening a household of their own surname.
    first_name = factory.Sequence(lambda n: f"Medewerker{n}")
    last_name = factory.Sequence(lambda n: f"Achter{n}")
    rol = Rol.CONSULENT
    organisatie = factory.SubFactory(OrganisatieFactory)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role_group(self, create, extracted, **kwargs):
        if create:
            user_set_rol(user=self, rol=self.rol)
