"""Generate the reference pages under ``docs/`` from the code (``make docs``).

Tests compare these pages with the files in ``docs/`` so they cannot drift from the code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from keyaccount.config import settings_markdown
from keyaccount.data.schema import reference_markdown

GENERATED: dict[str, Callable[[], str]] = {
    "schema.md": reference_markdown,
    "settings.md": settings_markdown,
}


def write_all(folder: Path) -> list[Path]:
    """Write every generated page into ``folder``; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, render in GENERATED.items():
        path = folder / name
        path.write_text(render().rstrip("\n") + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")
    for page in write_all(root):
        sys.stdout.write(f"wrote {page}\n")
