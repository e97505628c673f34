"""Live updates over ``/ws/``: the websocket consumer and its authentication."""
