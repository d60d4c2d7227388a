"""``python -m serve``: the production mode of ``make serve`` (see :mod:`serve.proxy`)."""

from __future__ import annotations

import sys

from serve.proxy import main

raise SystemExit(main(sys.argv[1:]))
