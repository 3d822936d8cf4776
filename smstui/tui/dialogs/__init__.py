"""smstui/tui/dialogs"""
