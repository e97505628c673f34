from __future__ import annotations

import pytest

from toegang.crypto.datakeys import cipher_cache
from toegang.crypto.keyring import get_keyring, reset_keyring_cache


@pytest.fixture
def fresh_keyring(settings, tmp_path):
    """A new development key ring in its own file, for tests that rotate or retire keys."""
    settings.KEYRING = ""
    settings.KEYRING_FILE = str(tmp_path / "keyring.json")
    settings.KEYRING_GENERATE_DEV = True
    reset_keyring_cache()
    cipher_cache.clear()
    yield get_keyring()
    reset_keyring_cache()
    cipher_cache.clear()
