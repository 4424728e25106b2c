"""gunicorn's configuration for prometheus_client's multiprocess mode (docs/operations.md, "Metrics").

``gunicorn -c resilience/gunicorn.conf.py resilience.wsgi ...`` with PROMETHEUS_MULTIPROC_DIR set: the directory is
emptied when the master starts (a directory per run: no counts of an earlier run, no stale files of reused process
ids), and a worker that exits is marked dead (its live gauges leave; its counts stay in the totals). Without
PROMETHEUS_MULTIPROC_DIR both hooks do nothing. Other options stay on the command line.
"""

import glob
import os
from pathlib import Path


def on_starting(server):
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        Path(path).mkdir(parents=True, exist_ok=True)
        for name in glob.glob(os.path.join(path, "*.db")):
            Path(name).unlink(missing_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
