"""Benchmarks for smstui: run ``python bench/run.py`` (see bench/README.md)."""
