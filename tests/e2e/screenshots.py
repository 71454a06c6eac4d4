"""Make the README's screenshots: `python -m tests.e2e.screenshots [folder]` (default docs/screenshots).

It runs the two end-to-end journeys (tests/e2e/test_journeys.py) in headless Chromium with
SCREENSHOTS_DIR set, so that the pictures are what the tests saw: the organiser's staff event page
with its checklist, the agenda, the check-in at the door on a phone, the facilitator's guide, and the participant's
registration form, thank-you page and own page on a phone in French. Fixed data, dates and window
sizes: the same code gives the same pictures."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    os.environ["SCREENSHOTS_DIR"] = str(folder.resolve())
    return pytest.main(["-q", "-p", "no:cacheprovider", str(ROOT / "tests" / "e2e" / "test_journeys.py")])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
