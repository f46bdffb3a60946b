"""``python -m fairlab``: the headless audit (see :mod:`fairlab.cli`)."""

from __future__ import annotations

from fairlab.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
