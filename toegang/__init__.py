"""The platform kernel of the Brede Toegang.

Owns the project settings, ASGI and URLs, organisations, users and roles, the
access policy, encryption (key ring, data keys, sealed fields, blind indexes)
and domain events (outbox, relay, websocket consumer). May import ``audit``,
never a domain app (``signalen``, ``casussen``).
"""
