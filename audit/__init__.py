"""The audit trail (NEN 7513, Logboek Dataverwerkingen).

Owns ``AuditRecord`` and the recording API (``audit.services.record``), sealing
and verification, and the privacy officer's console. Imports nothing of the
domain apps: callers pass ids and names, never model instances of theirs.
"""
