"""Model fields: sealed values (AES-256-GCM under the household's data key) and blind indexes.

A model with sealed fields has a UUID primary key (set before insert, it is
part of the associated data) and names the path to its data key::

    class Gezinslid(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
        huishouden = models.ForeignKey(Huishouden, on_delete=models.PROTECT)
        achternaam = SealedCharField(max_length=200)
        bsn_index = BlindIndexField(kind="bsn", source=("bsn",))

        sealed_with = "huishouden__data_key"
        objects = SealedManager()   # joins the data key: no query per row

App code reads and writes str/date/None. A value is decrypted when its
attribute is first read (a page decrypts only what it shows) and encrypted on
save only if it changed. After crypto-shredding a field reads as
``VERNIETIGD``. Sealed fields cannot be filtered on (use a blind index) nor
written with ``QuerySet.update``; a row's data key must not change.
"""

from __future__ import annotations

import functools
import operator
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from django import forms
from django.core import validators
from django.db import models
from django.utils.functional import cached_property

from toegang.crypto.blind_index import BLIND_INDEXES
from toegang.crypto.datakeys import data_key_cipher
from toegang.crypto.errors import DataKeyDestroyedError, SealedValueError
from toegang.crypto.keyring import SecretKey
from toegang.crypto.models import DataKey
from toegang.crypto.sealing import VERNIETIGD, open_sealed, seal


class Sealed:
    """Ciphertext as read from the database, not yet opened."""

    __slots__ = ("blob",)

    def __init__(self, blob: bytes) -> None:
        self.blob = blob

    def __repr__(self) -> str:
        return f"Sealed(<{len(self.blob)} bytes>)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.blob == self.blob

    __hash__ = None  # type: ignore[assignment]


class _Slot:
    """Per instance and field: the stored ciphertext and/or the plain value."""

    __slots__ = ("has_value", "sealed", "sealed_pk", "value")

    def __init__(
        self,
        *,
        sealed: Sealed | None,
        sealed_pk: Any = None,
        value: Any = None,
        has_value: bool = False,
    ) -> None:
        self.sealed = sealed
        self.sealed_pk = sealed_pk
        self.value = value
        self.has_value = has_value


class SealedAttribute:
    """Descriptor: opens the ciphertext on first read, keeps plain values written by app code."""

    def __init__(self, field: SealedField) -> None:
        self.field = field

    def __get__(self, instance: models.Model | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        attname = self.field.attname
        slot = instance.__dict__.get(attname)
        if slot is None:  # deferred with .only()/.defer()
            instance.refresh_from_db(fields=[attname])
            slot = instance.__dict__[attname]
        if not slot.has_value:
            slot.value = self.field.open(instance, slot)
            slot.has_value = True
        return slot.value

    def __set__(self, instance: models.Model, value: Any) -> None:
        if isinstance(value, Sealed):
            pk = instance.__dict__.get(instance._meta.pk.attname)
            instance.__dict__[self.field.attname] = _Slot(sealed=value, sealed_pk=pk)
        else:
            instance.__dict__[self.field.attname] = _Slot(sealed=None, value=value, has_value=True)


@functools.cache
def _data_key_getter(model: type[models.Model]) -> Callable[[models.Model], DataKey | None]:
    path = getattr(model, "sealed_with", None)
    if not path:
        raise SealedValueError(f"{model._meta.label} has sealed fields but no 'sealed_with'")
    return operator.attrgetter(path.replace("__", "."))


def _data_key(instance: models.Model) -> DataKey:
    data_key = _data_key_getter(type(instance))(instance)
    if data_key is None:
        raise SealedValueError(f"{instance._meta.label} {instance.pk}: no data key")
    return data_key


class SealedField(models.Field):
    """Base of the sealed fields: stores ``Sealed`` bytes, exposes plain values."""

    descriptor_class = SealedAttribute

    def get_internal_type(self) -> str:
        return "BinaryField"

    # -- value encoding (per kind) ----------------------------------------------------

    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError

    # -- sealing ------------------------------------------------------------------

    @cached_property
    def _aad_prefix(self) -> bytes:
        return f"{self.model._meta.db_table}\x00{self.column}\x00".encode()

    def _aad(self, pk: Any) -> bytes:
        if pk is None:
            raise SealedValueError(
                f"{self.model._meta.label}: set the UUID primary key before saving"
            )
        if not isinstance(pk, uuid.UUID):
            pk = self.model._meta.pk.to_python(pk)
        return self._aad_prefix + pk.bytes

    def _where(self, pk: Any) -> str:
        return f"{self.model._meta.label}.{self.name} (id {pk})"

    def open(self, instance: models.Model, slot: _Slot) -> Any:
        """The plain value of ``slot``, or ``VERNIETIGD`` if the data key was destroyed."""
        if slot.sealed is None:
            return None
        pk = slot.sealed_pk if slot.sealed_pk is not None else instance.pk
        return self.open_column(slot.sealed, pk, lambda: data_key_cipher(_data_key(instance)))

    def open_column(self, sealed: Sealed | None, pk: Any, cipher: Callable[[], AESGCM]) -> Any:
        """The plain value of ``sealed`` (this field of row ``pk``) read without its model
        instance (a ``values_list`` column), or ``VERNIETIGD`` when ``cipher()``, the row's
        data key cipher, raises ``DataKeyDestroyedError``."""
        if sealed is None:
            return None
        try:
            key = cipher()
        except DataKeyDestroyedError:
            return VERNIETIGD
        try:
            return self.decode(open_sealed(key, sealed.blob, self._aad(pk)))
        except SealedValueError as exc:
            raise SealedValueError(f"{self._where(pk)}: {exc}") from None

    def pre_save(self, model_instance: models.Model, add: bool) -> Sealed | None:
        slot = model_instance.__dict__.get(self.attname)
        if slot is None:
            return None
        pk = model_instance.pk
        if slot.sealed is not None and (slot.sealed_pk is None or slot.sealed_pk == pk):
            return slot.sealed  # unchanged: no crypto at all
        value = slot.value if slot.has_value else self.open(model_instance, slot)
        if value is None:
            sealed = None
        elif value is VERNIETIGD:
            raise DataKeyDestroyedError(f"{self._where(pk)}: cannot write, data key destroyed")
        else:
            cipher = data_key_cipher(_data_key(model_instance))
            sealed = Sealed(seal(cipher, self.encode(self.to_python(value)), self._aad(pk)))
        model_instance.__dict__[self.attname] = _Slot(
            sealed=sealed, sealed_pk=pk, value=value, has_value=True
        )
        return sealed

    # -- database conversion ----------------------------------------------------------

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Sealed | None:
        return None if value is None else Sealed(bytes(value))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        if isinstance(value, Sealed):
            return connection.Database.Binary(value.blob)
        raise SealedValueError(
            f"{self.model._meta.label}.{self.name}: sealed fields are written by saving the model"
        )

    def get_lookup(self, lookup_name: str) -> Any:
        # Ciphertext cannot be compared: only "is it empty?" makes sense. Use a blind index.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None


class SealedCharField(SealedField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def to_python(self, value: Any) -> Any:
        if value is None or value is VERNIETIGD or isinstance(value, str):
            return value
        return str(value)

    def encode(self, value: str) -> bytes:
        return value.encode("utf-8")

    def decode(self, data: bytes) -> str:
        return data.decode("utf-8")

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(form_class=forms.CharField, max_length=self.max_length, **kwargs)


class SealedTextField(SealedCharField):
    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(widget=forms.Textarea, **kwargs)


class SealedDateField(SealedField):
    empty_strings_allowed = False

    def to_python(self, value: Any) -> Any:
        if value is None or value is VERNIETIGD:
            return value
        if isinstance(value, datetime):
            raise SealedValueError(f"{self.model._meta.label}.{self.name}: expects a date")
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise SealedValueError(
                f"{self.model._meta.label}.{self.name}: not a date (YYYY-MM-DD)"
            ) from None

    def encode(self, value: date) -> bytes:
        return value.isoformat().encode("ascii")

    def decode(self, data: bytes) -> date:
        return date.fromisoformat(data.decode("ascii"))

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(form_class=forms.DateField, **kwargs)


class BlindIndexField(models.CharField):
    """An indexed HMAC of normalised ``source`` fields, computed on every save.

    ``kind`` is a key of ``BLIND_INDEXES``. With ``save(update_fields=...)``,
    list the index next to the fields it is computed from.
    """

    _DEFAULTS = {"max_length": 64, "null": True, "blank": True, "db_index": True, "editable": False}

    def __init__(self, *args: Any, kind: str, source: Sequence[str], **kwargs: Any) -> None:
        if kind not in BLIND_INDEXES:
            raise ValueError(f"unknown blind index kind {kind!r}")
        self.kind, self.source = kind, tuple(source)
        super().__init__(*args, **{**self._DEFAULTS, **kwargs})

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(kind=self.kind, source=list(self.source))
        for key, default in self._DEFAULTS.items():
            value = getattr(self, key)
            if value == default:
                kwargs.pop(key, None)
            else:
                kwargs[key] = value
        return name, path, args, kwargs

    def compute(self, instance: models.Model, *, key: SecretKey | None = None) -> str | None:
        values = [getattr(instance, name) for name in self.source]
        if any(v is None or v == "" or v is VERNIETIGD for v in values):
            return None
        return BLIND_INDEXES[self.kind](*values, key=key)

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = self.compute(model_instance)
        setattr(model_instance, self.attname, value)
        return value


class SealedManager(models.Manager):
    """Default manager of models with sealed fields: joins the data key (``sealed_with``)."""

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        path = getattr(self.model, "sealed_with", None)
        return queryset.select_related(path) if path else queryset
