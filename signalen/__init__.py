"""Signal intake from partners: the form, the API, consent modes, idempotency,
terugkoppeling and partner API clients. May import ``casussen``, ``toegang`` and ``audit``.
"""
