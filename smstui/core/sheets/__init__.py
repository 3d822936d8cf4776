"""Contacts and bulk rows from the files people keep them in: CSV in any encoding, .xlsx/.ods,
their headers mapped to columns, the numbers spreadsheets mangle repaired (no UI)."""
