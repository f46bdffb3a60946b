"""Pins stay at or above the releases that fixed known advisories.

Vulnerability databases are not reachable from these machines, so the floors are written
here from the advisories: streamlit 1.54.0 (CVE-2024-42474, CVE-2026-33682) and skops 0.12
(CVE-2025-54412).
"""

from __future__ import annotations

import re
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
FLOORS = {"streamlit": Version("1.54.0"), "skops": Version("0.12")}


def _pins() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^\s#]+)\s*(#.*)?", line.strip())
        if match:
            pins[match.group(1).lower()] = Version(match.group(2))
    return pins


def test_every_requirement_is_pinned_exactly_and_editable_install_is_last() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[-1] == "-e ."
    assert all("==" in line for line in lines[:-1]), lines


def test_security_floors() -> None:
    pins = _pins()
    for package, floor in FLOORS.items():
        assert pins[package] >= floor, f"{package} {pins[package]} is below {floor}"
