"""smstui/core"""
