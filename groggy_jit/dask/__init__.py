"""groggy-jit on Dask: many graphs over a cluster (``map_graphs``).

Needs the ``dask`` extra: ``pip install 'groggy-jit[dask]'``.
"""

from .cluster import local_client
from .many import GraphMap, map_graphs

__all__ = ["GraphMap", "local_client", "map_graphs"]
