"""Settings per environment: ``dev`` (embedded default), ``production``, ``test``."""
