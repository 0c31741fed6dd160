"""Keep the catalogs in step with the code: ``python -m keyaccount.report.i18n.catalog``.

Extracts every message id of ``report/`` (``loc._("…")`` and ``N_("…")`` in Python, ``_("…")``
in the templates) and rewrites each language's ``.po`` files: new ids are added untranslated,
ids no longer used are dropped, translations are kept. The ids of ``charts.py`` and
``charts_*.py`` live in ``charts.po``, all others in ``report.po``. A test fails while an id
is untranslated in zh_CN.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from keyaccount.report.i18n import BABEL_LOCALE, CATALOG_DIR, LANGS

REPORT_DIR = CATALOG_DIR.parent
STABLE_DATE = datetime(2026, 1, 1, tzinfo=UTC)  # fixed header dates keep diffs to real changes
METHODS = [("**/templates/**.j2", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "N_": None}


def domain_of(filename: str) -> str:
    """The .po file (without suffix) that holds the ids of a source file."""
    return "charts" if Path(filename).name.startswith("charts") else "report"


def extract() -> dict[str, set[str]]:
    """Message ids used in ``report/``, by domain."""
    found: dict[str, set[str]] = defaultdict(set)
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(REPORT_DIR), METHODS, keywords=KEYWORDS
    ):
        if isinstance(message, str) and message:
            found[domain_of(filename)].add(message)
    return found


def read(path: Path, lang: str) -> Catalog:
    """A catalog file (an empty catalog when it does not exist yet)."""
    if not path.exists():
        return Catalog(locale=BABEL_LOCALE[lang], charset="utf-8")
    with path.open("rb") as handle:
        return read_po(handle, locale=BABEL_LOCALE[lang])


def update(only: set[str] | None = None) -> list[Path]:
    """Rewrite the catalogs (of ``only`` these domains) to hold exactly the ids in use."""
    written = []
    for domain, ids in extract().items():
        if only and domain not in only:
            continue
        for lang in LANGS:
            path = CATALOG_DIR / BABEL_LOCALE[lang] / f"{domain}.po"
            old = read(path, lang)
            new = Catalog(
                locale=BABEL_LOCALE[lang],
                project="keyaccount",
                charset="utf-8",
                fuzzy=False,
                creation_date=STABLE_DATE,
                revision_date=STABLE_DATE,
            )
            for message_id in sorted(ids):
                kept = old.get(message_id)
                new.add(message_id, kept.string if kept is not None else "")
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, new, width=100, omit_header=False, no_location=True)
            written.append(path)
    return written


if __name__ == "__main__":
    import sys

    for written_path in update(set(sys.argv[1:]) or None):
        print(written_path)  # noqa: T201
