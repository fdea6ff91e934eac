import os

# OpenMP threads (the e5 engine, faiss) that spin while waiting starve each other on a
# busy 2-core machine: /api/assist p95 went from ~1.5 s to ~0.2 s with passive waiting.
# Must be set before the libraries load.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from assist.app import main  # noqa: E402

main()
