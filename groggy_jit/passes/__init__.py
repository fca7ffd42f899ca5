"""Semantics-preserving passes over the IR, and fusion into parallel loops."""
