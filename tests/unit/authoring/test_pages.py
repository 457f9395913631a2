"""The exported HTML pages: offline, with embedded data that cannot break out of its element."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from pac.authoring.export import export
from pac.documents.repository import Repository


def test_pages_work_offline(sample_repo: Repository, tmp_path: Path) -> None:
    export(sample_repo, tmp_path / "site")
    for page in (tmp_path / "site").rglob("*.html"):
        text = page.read_text()
        # No CDN, no absolute URLs for assets: the site works from file:// and any host.
        assert not re.search(r"""(src|href)=["']https?://""", text), page
        assert "fetch(" not in text


def test_embedded_page_data_holds_no_markup(sample_root: Path, tmp_path: Path) -> None:
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    hostile = "<!--<script></script>&amp;"
    item.write_text(item.read_text().replace("    you need.", f"    you need. {hostile}", 1))
    export(Repository(sample_root), tmp_path / "site")
    page = (tmp_path / "site/items/messaging-kafka-topic.html").read_text()
    embedded = page.split('<script type="application/json" id="pac-form">')[1].split("</script>")[0]
    assert not set("<>&") & set(embedded)
    assert json.loads(embedded)["schema"]["description"].count(hostile) == 1
    assert html.escape(hostile) in page  # shown as text in the description


def test_item_pages_show_tags_and_custom_metadata(sample_repo: Repository, tmp_path: Path) -> None:
    export(sample_repo, tmp_path / "site")
    page = (tmp_path / "site/items/messaging-kafka-topic.html").read_text()
    assert "<tr><th>Cluster name</th><td>kafka-shared-01</td></tr>" in page
    assert "<tr><th>Tags</th><td>kafka, events, streaming</td></tr>" in page
