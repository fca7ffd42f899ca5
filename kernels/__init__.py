"""Hand-written reference kernels.

These kernels are written directly in Numba. They serve two purposes: as
oracles in the test suite (the generated kernels must agree with them) and as
the performance ceiling in the benchmarks (the generated kernels should come
close to them). They are not part of the installed ``groggy_jit`` package and
``groggy_jit`` never imports them.

Each algorithm lives in its own module (``kernels.pagerank``, ...); this
package imports none of them, so using one kernel never compiles the others.
"""
