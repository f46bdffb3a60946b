"""The effective Streamlit configuration, read the way `streamlit run` reads it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fairlab.data.csv import DEFAULT_MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = (
    "server.enableXsrfProtection",
    "server.maxUploadSize",
    "browser.gatherUsageStats",
    "runner.magicEnabled",
    "runner.postScriptGC",
    "theme.base",
)


def _effective_options() -> dict[str, object]:
    code = (
        "import json\n"
        "from streamlit import config\n"
        "config.get_config_options(force_reparse=True)\n"
        f"print(json.dumps({{o: config.get_option(o) for o in {OPTIONS!r}}}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_security_and_privacy_settings_are_in_force() -> None:
    options = _effective_options()
    assert options["server.enableXsrfProtection"] is True
    assert options["browser.gatherUsageStats"] is False
    assert options["runner.magicEnabled"] is False
    assert options["theme.base"] == "light"


def test_upload_limit_matches_the_csv_reader() -> None:
    options = _effective_options()
    assert options["server.maxUploadSize"] == 200
    assert DEFAULT_MAX_BYTES == options["server.maxUploadSize"] * 1024 * 1024


def test_no_full_garbage_collection_after_every_run() -> None:
    # A full gc.collect(2) after each run took ~0.35 s with the stack loaded, holding the
    # GIL, for every interaction of every session (bench/bench_load_ws.py).
    assert _effective_options()["runner.postScriptGC"] is False
