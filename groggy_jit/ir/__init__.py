"""The IR: types, the op table, the IR graph and its verifier."""
