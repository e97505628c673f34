"""Domain errors of casussen; messages are Dutch and never contain personal data.

Input errors are ``django.core.exceptions.ValidationError`` (400). State
conflicts are :class:`CasusConflict` (409) and a stale version is
:class:`VersieConflict` (412); the API maps them in ``casussen.api.errors``
and the pages show the message.
"""

from __future__ import annotations


class CasusConflict(Exception):  # noqa: N818  (a domain word, like Http404)
    """The casus is not in a state that allows this (closed, already assigned, ...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class VersieConflict(CasusConflict):
    """Someone else changed the casus since it was read (optimistic locking)."""
