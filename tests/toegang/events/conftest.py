from tests.toegang.events.helpers import fresh_channel_layer, proef_access

__all__ = ["fresh_channel_layer", "proef_access"]
