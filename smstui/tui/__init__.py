"""smstui/tui"""
