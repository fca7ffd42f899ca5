"""groggy-jit on Dask: many graphs over a cluster (``map_graphs``), and one graph split
across workers (``run_partitioned``).

Needs the ``dask`` extra: ``pip install 'groggy-jit[dask]'``.
"""

from .bsp import PartitionedResult, run_partitioned
from .cluster import local_client
from .many import GraphMap, map_graphs
from .partition import write_partitions

__all__ = ["GraphMap", "PartitionedResult", "local_client", "map_graphs", "run_partitioned",
           "write_partitions"]
