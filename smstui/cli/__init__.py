"""smstui/cli"""
