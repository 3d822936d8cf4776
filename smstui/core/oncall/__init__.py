"""On call: delivery health, alert conditions, failure triage and the watch loop (no UI)."""
