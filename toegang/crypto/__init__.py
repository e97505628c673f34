"""Encryption at rest: key ring, per-household data keys, sealed fields, blind indexes.

The key hierarchy (see docs/security.md):

* the **key ring** (outside the database) holds versioned key-encryption keys
  (KEKs) and the blind-index key;
* every huishouden has its own **data key** (``DataKey``), stored only wrapped by
  a KEK;
* **sealed fields** hold AES-256-GCM ciphertext under the data key, bound to
  table, column and row id;
* **blind indexes** are HMAC-SHA256 values of normalised BSN, name + date of
  birth and postcode + house number, for lookups without decrypting.

App code uses plain Python values; nobody outside this package handles keys or
ciphertext bytes. This package imports nothing of the domain apps.
"""
