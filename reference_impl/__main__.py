"""``python -m reference_impl``: serve the reference implementation over HTTP."""

import sys

from reference_impl.wire.server import discard_stdout, main


def run() -> int | str | None:
    """``main``, with a closed stdout (``python -m reference_impl ... | head``) ending quietly
    with the exit code the command would have had."""
    try:
        try:
            code: int | str | None = main()
        except SystemExit as stop:  # argparse: --help, --list-variants, a usage error
            code = stop.code
        sys.stdout.flush()
    except BrokenPipeError:
        discard_stdout()
        return 0
    return code


sys.exit(run())
