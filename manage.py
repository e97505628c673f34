#!/usr/bin/env python
"""Django's command-line utility for the Brede Toegang platform."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toegang.settings.dev")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"Configuratiefout: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
