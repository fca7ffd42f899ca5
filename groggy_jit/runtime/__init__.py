"""Kernel cache, executor, results and the reference interpreter."""
