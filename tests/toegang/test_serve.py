"""``manage.py serve`` claims its port before it says that anything runs."""

from __future__ import annotations

import socket
from io import StringIO

import pytest

from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_a_taken_port_is_a_dutch_error_before_any_running_message():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        out = StringIO()
        with pytest.raises(CommandError) as exc:
            call_command("serve", host="127.0.0.1", port=port, stdout=out)
    assert f"Poort {port} op 127.0.0.1 is al in gebruik" in str(exc.value)
    assert f"make run PORT={port + 1}" in str(exc.value)
    assert "draait op" not in out.getvalue()


def test_make_run_takes_the_port_from_the_command_line():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "PORT ?= 8000" in makefile
    assert "manage.py serve --host 127.0.0.1 --port $(PORT)" in makefile
