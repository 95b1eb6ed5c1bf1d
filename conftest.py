"""Project-wide pytest hooks: a skipped test fails the run.

Every check of mathnn must run on every machine that runs the suite (PyTorch,
scikit-learn and hypothesis are in the ``test`` extra), so a skip can only mean
a missing dependency or a forgotten marker, and it is reported as a failure.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]  # tests/test_suite_rules.py runs small pytest sessions


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    skipped = reporter.stats.get("skipped", [])
    if skipped:
        reporter.ensure_newline()
        reporter.write_line(
            f"FAILED: {len(skipped)} test(s) skipped; every test must run "
            "(install the test extra: pip install -e '.[test]')",
            red=True,
            bold=True,
        )
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
