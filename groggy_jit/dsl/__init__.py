"""Front ends: tracing Python functions and builder calls into IR."""
