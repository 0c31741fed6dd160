"""Generate the reference pages under ``docs/`` from the code (``make docs``).

Tests compare these pages with the files in ``docs/`` so they cannot drift from the code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from keyaccount.config import settings_markdown
from keyaccount.data.schema import reference_markdown


def cli_markdown() -> str:
    """The generated command reference ``docs/cli.md``: each command's ``--help``."""
    import typer

    from keyaccount.cli import app

    group = typer.main.get_command(app)
    parts = [
        "# Command reference (generated)",
        "",
        "Generated from `src/keyaccount/cli.py` by `make docs`; a test fails when this page "
        "is out of date.",
        "",
    ]
    root = group.context_class(
        group, info_name="keyaccount", terminal_width=100, max_content_width=100
    )
    for name in group.list_commands(root):  # type: ignore[attr-defined]
        command = group.get_command(root, name)  # type: ignore[attr-defined]
        ctx = command.context_class(
            command, info_name=name, parent=root, terminal_width=100, max_content_width=100
        )
        parts += [f"## keyaccount {name}", "", "```text", command.get_help(ctx), "```", ""]
    return "\n".join(parts)


GENERATED: dict[str, Callable[[], str]] = {
    "schema.md": reference_markdown,
    "settings.md": settings_markdown,
    "cli.md": cli_markdown,
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
