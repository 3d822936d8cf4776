"""smstui/core/bulk"""
