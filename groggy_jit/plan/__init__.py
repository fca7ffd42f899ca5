"""Batch execution plans: steps, live ranges and array slots."""
