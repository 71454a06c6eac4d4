"""Runs ../shared/validators/check-ics (three independent parsers and the tz database) on our feeds."""

import shutil
import subprocess
from pathlib import Path

import pytest

CHECK_ICS = Path(__file__).resolve().parents[2] / "shared" / "validators" / "check-ics"


def run_check_ics(path: Path, *expectations: str) -> subprocess.CompletedProcess:
    """Run the independent validator on a file; skipped only where the validator is not shipped."""
    if not CHECK_ICS.exists():
        pytest.skip("../shared/validators/check-ics is not beside the project")
    if not shutil.which("node"):
        pytest.skip("check-ics needs node for ical.js")
    args = [str(CHECK_ICS), "--strict"]
    for expectation in expectations:
        args += ["--expect-start", expectation]
    return subprocess.run([*args, str(path)], capture_output=True, text=True, timeout=600)


def assert_check_ics(path: Path, *expectations: str) -> str:
    result = run_check_ics(path, *expectations)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS" in result.stdout.splitlines()[-1]
    return result.stdout
