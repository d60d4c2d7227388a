"""``python -m geo.io.refresh``: see :func:`geo.io.refresh.run.main`."""

from geo.io.refresh.run import main

raise SystemExit(main())
