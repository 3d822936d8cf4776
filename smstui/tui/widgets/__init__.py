"""Reusable widgets of the Textual app, one per file."""
