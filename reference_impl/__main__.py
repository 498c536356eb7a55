"""``python -m reference_impl``: serve the reference implementation over HTTP."""

import sys

from reference_impl.wire.server import main

sys.exit(main())
