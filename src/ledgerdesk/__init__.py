"""ledgerdesk: a self-hosted after-sales support desk for crypto exchanges and wallets."""

import os

# One thread each for the embedding model (OpenMP) and NumPy (OpenBLAS), unless the operator
# says otherwise. On a 2-core machine two thread pools spinning against each other made the
# p95 of a search 5-8x its median (bench/RESULTS.md, "Knowledge-base search"); requests run
# in parallel across processes and threads anyway. Must be set before NumPy is imported.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

__version__ = "0.1.0"
