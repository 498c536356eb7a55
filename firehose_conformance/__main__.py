"""``python -m firehose_conformance``: the same command line as ``firehose-conformance``."""

import sys

from firehose_conformance.cli import main

if __name__ == "__main__":
    sys.exit(main())
