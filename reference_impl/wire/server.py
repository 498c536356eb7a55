"""The reference implementation over HTTP: one threaded server, one endpoint for every service.

    python -m reference_impl [--host 127.0.0.1] [--port 4573] [--clock real|manual]
                             [--transition-seconds S] [--latency none|aws]
                             [--latency-file FILE.toml] [--latency-set NAME=SECONDS ...]
                             [--variant NAME] [--quiet]

(also ``firehose-conformance serve``). Any AWS SDK pointed at ``http://HOST:PORT`` reaches Firehose,
KMS, Kinesis, CloudWatch and S3 (path-style); ``/_reference/`` is the control plane (control.py).
SigV4 signatures are accepted without being verified; the access key id selects the account
(accounts.py). ``--latency`` sets how long the asynchronous steps take (latency.py). The server is
werkzeug's threaded WSGI server with a request handler that answers HTTP-level errors (a request
line or headers too long, a malformed request) in AWS JSON form and logs one line per request.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import math
import os
import selectors
import signal
import socket
import sys
import threading
import uuid
from collections.abc import Sequence
from types import FrameType
from typing import Any

from werkzeug.serving import (
    BaseWSGIServer,
    WSGIRequestHandler,
    make_server,
    select_address_family,
)

from reference_impl import latency as latencies
from reference_impl.clock import ClockMode
from reference_impl.cloud import ReferenceCloud
from reference_impl.firehose.settings import FirehoseSettings
from reference_impl.latency import Latency
from reference_impl.variants import catalog as variant_catalog
from reference_impl.wire.wsgi import access_log

DEFAULT_HOST = "127.0.0.1"  # never all interfaces unless asked: this server checks no signature
DEFAULT_PORT = 4573
# A connection that sends nothing for this long is closed, so a stalled client holds a thread
# for a bounded time only.
REQUEST_TIMEOUT_SECONDS = 60.0
# At most this much of an unreadable request is read and dropped before the connection closes.
DISCARD_LIMIT = 64 * 1024 * 1024
# HTTP-level errors by status: the AWS-style code a client sees in ``__type``.
_HTTP_ERROR_CODES = {
    400: "BadRequest",
    408: "RequestTimeout",
    413: "RequestEntityTooLarge",
    414: "RequestURITooLong",
    431: "RequestHeaderFieldsTooLarge",
}

log = logging.getLogger(__name__)


class _Handler(WSGIRequestHandler):
    """werkzeug's handler, with HTTP-level errors as AWS JSON 4xx and no log line of its own."""

    timeout = REQUEST_TIMEOUT_SECONDS
    server_version = "reference-impl"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """The app logs each request it answers (``reference_impl.access``)."""

    def log_error(self, format: str, *args: Any) -> None:
        access_log.warning("%s %s", self.client_address[0], format % args)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":  # no status line, no headers: no AWS SDK's
            self.send_error(400, "HTTP/0.9 requests are not supported")
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors found before the app runs (malformed request line, headers too long).

        http.server answers an HTML page; AWS front-ends answer a JSON error. A request claiming
        HTTP/2 or later over this HTTP/1.1 socket is malformed input, so it gets 400, not 505.
        The answer always has a status line, even to a request line too broken to say its version.
        """
        if code >= 500:
            code = 400
        if not getattr(self, "request_version", "").startswith("HTTP/1."):
            self.request_version = "HTTP/1.1"
        short = self.responses.get(code, ("Bad Request", ""))[0]
        text = message or short
        self.log_error("HTTP %d %s", code, text)
        body = json.dumps(
            {"__type": _HTTP_ERROR_CODES.get(code, "BadRequest"), "message": text[:300]}
        ).encode()
        self.send_response_only(code, short)
        self.send_header("Server", self.version_string())
        self.send_header("Date", self.date_time_string())
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if getattr(self, "command", "") != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True
        self._discard_unread()

    def _discard_unread(self) -> None:
        """Read what the client is still sending before closing, as werkzeug does after a
        response: closing with unread bytes would reset the connection, and the client could
        lose the answer. Bounded in bytes and by a short idle wait."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.connection, selectors.EVENT_READ)
            drained = 0
            while drained < DISCARD_LIMIT and selector.select(timeout=0.05):
                try:
                    chunk = self.connection.recv(1 << 20)
                except OSError:
                    return
                if not chunk:
                    return
                drained += len(chunk)


@dataclasses.dataclass(frozen=True)
class ServerOptions:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    clock: ClockMode = ClockMode.REAL
    transition_seconds: float = FirehoseSettings.transition_seconds
    variant: str | None = None  # one of reference_impl.variants (a deviant, or a conforming one)
    # How long each asynchronous step takes; None: the "none" profile with transition_seconds.
    latency: Latency | None = None

    @property
    def effective_latency(self) -> Latency:
        if self.latency is not None:
            return self.latency
        return Latency.named(latencies.NONE, self.transition_seconds)


class ReferenceServer:
    """A ``ReferenceCloud`` behind a threaded HTTP server; ``start()`` serves from a thread.

    Port 0 picks a free port (``url`` tells which). ``stop()`` stops accepting, waits for the
    requests being handled to leave the model (the cloud's lock), and stops the real clock.
    """

    def __init__(self, options: ServerOptions = ServerOptions(), **cloud_options: Any) -> None:
        self.options = options
        latency = options.effective_latency
        settings = dataclasses.replace(
            FirehoseSettings(), transition_seconds=latency.longest_firehose_transition
        )
        # Bound here, so that a port in use is an OSError for the caller (werkzeug would print
        # and exit); werkzeug serves on a duplicate of this socket.
        family = select_address_family(options.host, options.port)
        with socket.create_server((options.host, options.port), family=family) as bound:
            self._httpd: BaseWSGIServer = make_server(
                options.host,
                options.port,
                self._app,
                threaded=True,
                request_handler=_Handler,
                fd=bound.fileno(),
            )
        try:
            self.cloud = ReferenceCloud(
                settings=settings,
                clock_mode=options.clock,
                variant=options.variant,
                latency=latency,
                **cloud_options,
            )
        except BaseException:
            self._httpd.server_close()
            raise
        self._thread: threading.Thread | None = None
        self._stopped = False

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        # Read per request: ``reset`` rebuilds the cloud's app.
        return self.cloud.app(environ, start_response)

    @property
    def host(self) -> str:
        return self.options.host

    @property
    def port(self) -> int:
        return int(self._httpd.socket.getsockname()[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve in this thread until ``stop()`` (from another thread or a signal handler)."""
        self._httpd.serve_forever(poll_interval=0.2)

    def start(self) -> ReferenceServer:
        """Serve from a daemon thread (tests, benchmarks); returns at once."""
        self._thread = threading.Thread(
            target=self.serve_forever, name="reference-server", daemon=True
        )
        self._thread.start()
        return self

    def request_stop(self) -> None:
        """Make ``serve_forever`` return (safe from any thread but the one serving)."""
        self._httpd.shutdown()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._httpd.shutdown()  # returns once serve_forever has left its loop
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        with self.cloud.lock:  # requests already inside the model finish first
            pass
        self.cloud.close()

    def __enter__(self) -> ReferenceServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0..65535 (0: any free port), got {value}")
    return value


def latency_assignment(text: str) -> tuple[str, float]:
    try:
        return latencies.parse_assignment(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def latency_file(text: str) -> tuple[str, str | None, dict[str, float]]:
    """(the path, the profile it names, its durations): read and checked while parsing."""
    try:
        profile, values = latencies.read_file(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text, profile, values


def variant_name(text: str) -> str:
    if text not in variant_catalog():
        raise argparse.ArgumentTypeError(f"unknown variant {text!r} (see --list-variants)")
    return text


class _ListLatency(argparse.Action):
    """``--list-latency``: print every duration of the profiles and exit."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(latencies.table())
        print("\nsources: reference_impl/latency.py (and README, 'Latency profiles')")
        parser.exit()


class _ListVariants(argparse.Action):
    """``--list-variants``: print the catalog of variants and exit."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        lines = []
        for found in variant_catalog().values():
            violates = f" ({' '.join(found.violates)})" if found.violates else ""
            lines.append(f"{found.name}  [{found.kind}{violates}]  {found.description}\n")
        print_quietly("".join(lines))
        parser.exit()


def print_quietly(text: str) -> None:
    """Write ``text`` to stdout; a reader that has gone (``--list-variants | head``) ends the
    output quietly, not with a BrokenPipeError."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        discard_stdout()


def discard_stdout() -> None:
    """Point stdout at /dev/null, so that nothing meets the closed pipe again (at exit)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python -m reference_impl`` and ``firehose-conformance serve``."""
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--clock",
        choices=[mode.value for mode in ClockMode],
        default=ClockMode.REAL.value,
        help="real: time flows (default); manual: time moves only through the control plane",
    )
    parser.add_argument(
        "--transition-seconds",
        type=positive_seconds,
        default=None,
        metavar="S",
        help="how long Firehose's asynchronous transitions (CREATING, ENABLING, DISABLING, "
        f"DELETING) take (default {FirehoseSettings.transition_seconds:g}; with --latency "
        "aws, the profile's)",
    )
    parser.add_argument(
        "--latency",
        choices=latencies.PROFILES,
        default=None,
        help="none (default): transitions take --transition-seconds, the rest is at once; "
        "aws: creation, SSE transitions, deletion, grant retirement, delivery and metrics "
        "take about as long as in AWS (see --list-latency)",
    )
    parser.add_argument(
        "--latency-file",
        type=latency_file,
        metavar="FILE",
        help='a TOML file of durations (and optionally profile = "aws"), applied after '
        "--latency and --transition-seconds",
    )
    parser.add_argument(
        "--latency-set",
        type=latency_assignment,
        action="append",
        default=[],
        metavar="NAME=SECONDS",
        help="one duration, e.g. firehose.creating=40 (repeatable; applied last)",
    )
    parser.add_argument(
        "--list-latency", action=_ListLatency, help="list the durations of each profile and exit"
    )
    parser.add_argument(
        "--variant",
        type=variant_name,
        metavar="NAME",
        help="serve one variant of the reference (a deviant's bug, or a conforming alternative)",
    )
    parser.add_argument("--list-variants", action=_ListVariants, help="list the variants and exit")
    parser.add_argument("--quiet", action="store_true", help="no log line per request")


def options_from(args: argparse.Namespace) -> ServerOptions:
    _, file_profile, file_values = args.latency_file or (None, None, {})
    latency = latencies.combine(
        args.latency or file_profile, args.transition_seconds, file_values, dict(args.latency_set)
    )
    return ServerOptions(
        host=args.host,
        port=args.port,
        clock=ClockMode(args.clock),
        transition_seconds=latency.longest_firehose_transition,
        variant=args.variant,
        latency=latency,
    )


def serve(options: ServerOptions, *, quiet: bool = False) -> int:
    """Run until SIGINT or SIGTERM; exit status 0 after a clean stop, 2 if it cannot bind."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr, force=True
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    access_log.setLevel(logging.WARNING if quiet else logging.INFO)
    try:
        server = ReferenceServer(options)
    except OSError as error:
        print(
            f"reference_impl: cannot listen on {options.host}:{options.port}: {error}",
            file=sys.stderr,
        )
        return 2

    def stop(signum: int, _: FrameType | None) -> None:
        log.info("%s: stopping", signal.Signals(signum).name)
        # shutdown() waits for serve_forever, which runs in this (the main) thread.
        threading.Thread(target=server.request_stop, name="reference-stop", daemon=True).start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    latency = options.effective_latency
    log.info(
        "reference implementation serving on %s (clock %s, %s%s); control plane %s",
        server.url,
        options.clock.value,
        _describe(latency),
        f", variant {options.variant}" if options.variant else "",
        f"{server.url}/_reference/health",
    )
    try:
        server.serve_forever()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
    log.info("stopped")
    return 0


def _describe(latency: Latency) -> str:
    if latency.profile == latencies.NONE:
        return f"transitions {latency.longest_firehose_transition:g}s"
    seconds = latency.seconds()
    shown = ", ".join(f"{name} {value:g}s" for name, value in seconds.items())
    return f"latency {latency.profile}: {shown}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reference_impl",
        description="Serve the reference implementation over HTTP (every service, one endpoint).",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    return serve(options_from(args), quiet=args.quiet)
