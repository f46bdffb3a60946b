"""The library's boundaries: no streamlit, a complete public API."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import fairlab


def _library_modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(fairlab.__path__, prefix="fairlab.")]


def test_importing_the_whole_library_does_not_import_streamlit() -> None:
    modules = ["fairlab", *_library_modules()]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False", result.stderr
    assert len(modules) > 5


def test_every_name_in_all_is_importable() -> None:
    for name in _library_modules():
        module = importlib.import_module(name)
        for exported in getattr(module, "__all__", []):
            assert hasattr(module, exported), f"{name}.__all__ names missing {exported}"


def test_library_never_prints() -> None:
    import inspect
    import re

    for name in _library_modules():
        source = inspect.getsource(importlib.import_module(name))
        assert not re.search(r"^\s*print\(", source, re.MULTILINE), f"{name} prints"
