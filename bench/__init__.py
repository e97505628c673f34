"""Benchmarks: each ``bench/<name>_bench.py`` prints figures and ratios; nothing is asserted.

Run one with ``python -m bench.<name>_bench``, all with ``python -m bench``.
"""
