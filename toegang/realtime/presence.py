"""Presence ("also looking at this casus") by gossip over the channel layer.

No shared store: a consumer that starts watching announces itself to the watch
group; every member answers the newcomer directly; members re-announce every
``REFRESH`` seconds and forget entries they have not heard from in ``EXPIRY``,
so a crashed server's connections disappear by themselves. Works on every layer.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

REFRESH = 30.0
EXPIRY = 75.0
_KEY = re.compile(r"^[a-z][a-z_]{0,31}$")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def watch_group(aggregate_type: str, aggregate_id: str) -> str:
    return f"watch.{aggregate_type}.{aggregate_id}"


def valid_target(aggregate_type: Any, aggregate_id: Any) -> bool:
    return (
        isinstance(aggregate_type, str)
        and isinstance(aggregate_id, str | int)
        and bool(_KEY.match(aggregate_type))
        and bool(_ID.match(str(aggregate_id)))
    )


@dataclass
class Watch:
    """What one consumer knows about the others watching one object."""

    aggregate_type: str
    aggregate_id: str
    #: channel name -> (user id, naam, last heard)
    members: dict[str, tuple[int, str, float]] = field(default_factory=dict)

    @property
    def group(self) -> str:
        return watch_group(self.aggregate_type, self.aggregate_id)

    def heard(self, channel: str, user_id: int, naam: str) -> bool:
        """Record a member; True when the visible list changed."""
        known = channel in self.members
        self.members[channel] = (user_id, naam, time.monotonic())
        return not known

    def left(self, channel: str) -> bool:
        return self.members.pop(channel, None) is not None

    def expire(self) -> bool:
        cutoff = time.monotonic() - EXPIRY
        stale = [c for c, (_, _, seen) in self.members.items() if seen < cutoff]
        for channel in stale:
            del self.members[channel]
        return bool(stale)

    def users_except(self, user_id: int) -> list[dict[str, Any]]:
        """Colleagues watching, one entry per user (several tabs count once), by name."""
        people = {uid: naam for uid, naam, _ in self.members.values() if uid != user_id}
        return [
            {"id": uid, "naam": naam} for uid, naam in sorted(people.items(), key=lambda p: p[1])
        ]
