"""The spec inside an emulator's own pytest run: ``pytest --pyargs firehose_conformance.steps
--fc-endpoint-url URL`` (the ``pytest11`` entry point ``firehose-conformance``).

Installed with the package, this plugin is loaded by every pytest session and stays inert: it
only declares its options, all named ``--fc-*`` so that they clash neither with the project's
own plugin (``--target``, ``--target-option``, ``--results``, which ``firehose-conformance run``
passes) nor with an emulator's options. It comes to life when a ``--fc-*`` option is given or
the session collects the spec's steps (``--pyargs firehose_conformance.steps``) without the
project's plugin. It then does what ``run`` does before and after its pytest session: chooses
the target from the same flags and environment (``--fc-endpoint-url`` > ``AWS_ENDPOINT_URL_*``
> ``AWS_ENDPOINT_URL`` ..., ``targets/options.py``), refuses a bad option or an unreachable
endpoint in one line, registers ``firehose_conformance.plugin`` with those settings, and at the
end writes the same results document and JUnit file (``reports/results-NAME.json`` and
``reports/junit-NAME.xml`` by default, the JUnit file beside ``--fc-results`` unless
``--fc-junit``) and sets the exit status ``run`` would give: 0 when no
mandatory requirement failed or errored, or, with ``--fc-expectations``, when the run matches
the declaration; 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Generator
from pathlib import Path

import pytest

from firehose_conformance.errors import UsageError

PLUGIN = "firehose_conformance.plugin"
STEPS_PACKAGE = "firehose_conformance.steps"
# The options as `run` spells them (without --fc-), and their argparse destinations.
_FLAGS = {
    "--fc-target": "fc_target",
    "--fc-endpoint-url": "fc_endpoint_url",
    "--fc-region": "fc_region",
    "--fc-profile": "fc_profile",
    "--fc-target-option": "fc_target_option",
    "--fc-label": "fc_label",
    "--fc-results": "fc_results",
    "--fc-junit": "fc_junit",
    "--fc-expectations": "fc_expectations",
    "--fc-allow-live-aws": "fc_allow_live_aws",
    "--fc-account-id": "fc_account_id",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(
        "firehose-conformance-spec",
        "the Firehose SSE spec in this session (pytest --pyargs firehose_conformance.steps)",
    )
    add = group.addoption
    add(
        "--fc-target",
        dest="fc_target",
        metavar="NAME",
        help="reference (default), moto, endpoint (implied by --fc-endpoint-url or a configured "
        "AWS_ENDPOINT_URL), aws",
    )
    add(
        "--fc-endpoint-url",
        dest="fc_endpoint_url",
        metavar="URL",
        help="an emulator at URL, for every service (implies --fc-target endpoint); default: "
        "AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL or the profile's, as boto3",
    )
    add(
        "--fc-region",
        dest="fc_region",
        action="append",
        default=[],
        metavar="R",
        help="the region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's)",
    )
    add("--fc-profile", dest="fc_profile", metavar="P", help="a named AWS profile")
    add(
        "--fc-target-option",
        dest="fc_target_option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an option for the target, e.g. transition_timeout=10 (repeatable)",
    )
    add(
        "--fc-label",
        dest="fc_label",
        metavar="NAME",
        help="name this run (the column of merged reports; default file names use it)",
    )
    add(
        "--fc-results",
        dest="fc_results",
        metavar="PATH",
        help="results JSON (default reports/results-NAME.json, NAME the label or the target)",
    )
    add(
        "--fc-junit",
        dest="fc_junit",
        metavar="PATH",
        help="JUnit XML written from the results (default: beside the results, junit-NAME.xml)",
    )
    add(
        "--fc-expectations",
        dest="fc_expectations",
        metavar="FILE",
        help="a TOML declaration of the target's known deviations: exit 0 when the run matches",
    )
    add(
        "--fc-allow-live-aws",
        dest="fc_allow_live_aws",
        action="store_true",
        help="aws target: use a real account",
    )
    add(
        "--fc-account-id",
        dest="fc_account_id",
        metavar="ID",
        help="aws target: the account the credentials must belong to",
    )


class Settings:
    """What this session runs against and where it writes, as ``run`` decides them."""

    def __init__(self, config: pytest.Config) -> None:
        from firehose_conformance.commands.run import junit_beside
        from firehose_conformance.expectations import load_declaration
        from firehose_conformance.targets import FACTORIES, make_target
        from firehose_conformance.targets.options import choose_target, options_from_args

        args = argparse.Namespace(
            target=config.getoption("fc_target"),
            endpoint_url=config.getoption("fc_endpoint_url"),
            region=list(config.getoption("fc_region")),
            profile=config.getoption("fc_profile"),
            target_option=list(config.getoption("fc_target_option")),
            label=config.getoption("fc_label"),
            allow_live_aws=config.getoption("fc_allow_live_aws"),
            account_id=config.getoption("fc_account_id"),
        )
        self.worker = hasattr(config, "workerinput")  # an xdist worker: the controller decided
        # The stderr line a configured endpoint earns is said once, by the controller.
        with open(os.devnull, "w") if self.worker else contextlib.nullcontext() as say:
            self.target = choose_target(args, "reference", say=say)
        if self.target not in FACTORIES:
            raise UsageError(
                f"unknown target {self.target!r}; known: {', '.join(sorted(FACTORIES))}"
            )
        self.options = options_from_args(args, self.target)
        expectations = config.getoption("fc_expectations")
        self.declaration = load_declaration(Path(expectations)) if expectations else None
        self.expectations = Path(expectations) if expectations else None
        if self.declaration is not None and self.target not in self.declaration.targets:
            raise UsageError(
                f"{expectations} applies to {list(self.declaration.targets)}, not {self.target!r}"
            )
        named = args.label or self.target
        given = config.getoption("fc_results")
        junit = config.getoption("fc_junit")
        self.results = Path(given) if given else Path("reports") / f"results-{named}.json"
        # As run: JUnit beside the results (results-X.json -> junit-X.xml) unless --fc-junit.
        self.junit = Path(junit) if junit else junit_beside(self.results)
        if not self.worker:
            # As run does: a bad option or an unreachable endpoint is one line before any
            # scenario starts, not an error in each of them.
            make_target(self.target, **self.options).close()


def _given(config: pytest.Config) -> list[str]:
    """The --fc-* options given on this command line (not left at their defaults)."""
    return [
        flag for flag, dest in _FLAGS.items() if config.getoption(dest) not in (None, [], False)
    ]


def _collects_steps(config: pytest.Config) -> bool:
    """Whether the session's arguments name the spec's steps (a path or --pyargs)."""
    from firehose_conformance.locations import package_dir

    steps = package_dir(STEPS_PACKAGE).resolve()
    for arg in config.args:
        name = str(arg).split("::", 1)[0]
        if config.getoption("pyargs") and (
            name == STEPS_PACKAGE or name.startswith(STEPS_PACKAGE + ".")
        ):
            return True
        path = Path(config.invocation_params.dir, name).resolve()
        if path == steps or steps in path.parents:
            return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    given = _given(config)
    if config.pluginmanager.has_plugin(PLUGIN):  # firehose-conformance run, or -p given
        if given:
            raise pytest.UsageError(
                f"{', '.join(given)}: the --fc-* options are for a pytest session of its own; "
                f"with -p {PLUGIN} (as firehose-conformance run passes it), use --target, "
                "--target-option and --results"
            )
        return
    if not given and not _collects_steps(config):
        return  # any other pytest session: nothing to do
    try:
        settings = Settings(config)
    except UsageError as error:
        raise pytest.UsageError(f"firehose-conformance: {error}") from None
    # The project's plugin reads its settings from its own options' destinations (fsc_*),
    # which are set here before it is registered, so its defaults do not replace them.
    options = dict(settings.options)
    if _parallel(config):  # -n N, as run -n N: a worker account each, @alone first if shared
        from firehose_conformance.runner import workers_share

        if settings.target == "endpoint":
            options.setdefault("worker_accounts", "on")
        if not hasattr(config, "workerinput") and workers_share(settings.target, options):
            config.option.fsc_alone_first = True
    config.option.fsc_target = settings.target
    config.option.fsc_target_option = [f"{k}={v}" for k, v in options.items()]
    config.option.fsc_results = str(settings.results)
    config.pluginmanager.import_plugin(PLUGIN)
    config.pluginmanager.register(_Finish(settings), "firehose-conformance-finish")


def _parallel(config: pytest.Config) -> bool:
    """pytest-xdist's controller with -n N (N > 0), or one of its workers."""
    return hasattr(config, "workerinput") or bool(getattr(config.option, "numprocesses", None))


class _Finish:
    """After the project's plugin wrote the results: the JUnit file, the suite's summary, and
    run's exit status.

    The project's plugin writes the results at the very end of ``pytest_sessionfinish`` (an
    outer wrapper, after pytest's own terminal summary), so this is a wrapper registered after
    it: the outermost one, whose code after the ``yield`` runs once the results are there.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> Generator[None, None, None]:
        try:
            return (yield)
        finally:
            if not self.settings.worker:
                self.finish(session)

    def finish(self, session: pytest.Session) -> None:
        from firehose_conformance.commands.run import left_out_line, mandatory_line, summary_line
        from firehose_conformance.expectations import compare, outcome_line
        from firehose_conformance.reports.junit import write_junit
        from firehose_conformance.results import read_results

        settings = self.settings
        if not settings.results.exists():
            return  # interrupted before the end, or nothing collected: pytest's status stands
        results = read_results(settings.results)
        write_junit(results, settings.junit, settings.declaration)
        lines = [
            summary_line(results),
            *([left_out_line(results)] if results.left_out else []),
            f"results: {settings.results}   junit: {settings.junit}",
            mandatory_line(results),
        ]
        failed = bool(results.blocking_failures)
        if settings.declaration is not None:
            mismatches = compare(results, settings.declaration)
            lines += [
                f"{m.problem}: {m.kind} {m.subject}: declared {m.expected}, got {m.actual}"
                f"{' (' + m.detail + ')' if m.detail else ''}"
                for m in mismatches
            ]
            lines.append(
                outcome_line(results, settings.declaration, mismatches, settings.expectations)
            )
            failed = bool(mismatches)
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_sep("=", "firehose-conformance")
            for line in lines:
                reporter.write_line(line)
        if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED if failed else pytest.ExitCode.OK
