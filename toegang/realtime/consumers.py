"""The websocket consumer: one group per user, ``user.<id>``."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Joins ``user.<id>`` and forwards ``{type, id, version, event_id}`` messages."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def domain_event(self, message: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": message["event_type"],
                "id": message["aggregate_id"],
                "version": message["version"],
                "event_id": message["event_id"],
            }
        )
