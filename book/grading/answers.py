"""The public tests' expected answers, as data the authoring tool writes.

`public_expected.json` holds per exercise its title, its points, the number
of hidden tests and each public test's expected value (never a hidden one). The
student's `check()` judges with it, so no answer is computed in the student's
kernel; `python -m book.grading list` reads it without importing PyTorch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXPECTED_FILE = Path(__file__).with_name("public_expected.json")


def expected_answers() -> dict[str, Any]:
    """Exercise id -> its data in `public_expected.json`."""
    return json.loads(EXPECTED_FILE.read_text())
