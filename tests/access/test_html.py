"""``verify-access --html``: the matrix as one self-contained HTML page (issue 22, reports teams keep)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from khepri_db.core.db import connect
from tests.support import REPO, Cli

pytestmark = pytest.mark.pg


class _Page(HTMLParser):
    """Collects the page's tables (their header cells and cell classes) and any script or link."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.classes: list[str] = []
        self.external: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "link", "img", "iframe") or values.get("src"):
            self.external.append(tag)
        if tag == "h2":
            self._in_h2 = True
        if tag == "td" and values.get("title"):
            self.classes.append(f"{values['title']}={values.get('class')}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.headings.append(data)


def _page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_the_html_page_has_a_table_per_object_and_marks_each_cell(
    cli: Cli, khepri_clone_url: str, tmp_path: Path
) -> None:
    html = tmp_path / "matrix.html"
    result = cli("verify-access", "--db-url", khepri_clone_url, "--html", str(html), cwd=REPO)
    assert result.exit_code == 0, result.stdout
    page = _page(html)
    assert page.external == []  # one file: nothing fetched, nothing run
    assert "table public.athletes" in page.headings
    assert any(h.startswith("function public.finalize_onboarding(") for h in page.headings)
    assert "public.athletes:anon:select=held" in page.classes
    assert all(c.endswith(("=held", "=skipped", "=undecided")) for c in page.classes)

    with connect(khepri_clone_url, autocommit=True) as conn:  # a policy that lets anyone read athletes
        conn.execute("create policy everyone_reads on public.athletes for select to anon using (true)")
        conn.execute("grant select on public.athletes to anon")
    result = cli("verify-access", "--db-url", khepri_clone_url, "--html", str(html), cwd=REPO)
    assert result.exit_code == 1
    assert "public.athletes:anon:select=mismatch" in _page(html).classes
