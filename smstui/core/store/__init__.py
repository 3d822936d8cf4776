"""smstui/core/store"""
