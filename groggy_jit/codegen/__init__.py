"""Plan to readable Python source, compiled by Numba."""
