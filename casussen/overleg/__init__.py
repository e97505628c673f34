"""The sociaal vangnet overleg: case conferences with partners, minimal data, time-bound access.

An aanspreekpunt brings a casus into a session (a *casusinbreng*: a short summary
written for the meeting, the basis for sharing it and which participants may see
it). Participants see what is shared with them from publication until
``OVERLEG_TOEGANG_UREN`` after the session, then nothing; the chair records
afspraken, which become plan actions once the aanspreekpunt confirms them.
See docs/overleg.md.
"""
