"""Writes of the casussen app, one module per topic (HackSoft-style services)."""
