"""What a developer reads about an offering, in words: steps without template source,
custom metadata with labels and units."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from pac.authoring import discovery
from pac.authoring.export import export
from pac.authoring.plain import fact, template_in_words
from pac.documents.repository import Repository


def test_template_expressions_read_as_what_they_stand_for(sample_repo: Repository) -> None:
    form = discovery.find(sample_repo, "messaging-kafka-topic").form
    said = template_in_words(
        "PUT /ns/{{ .current.environment.stage }}/{{ .current.name }}"
        " on {{ .metadata.messaging-kafka-topic.clusterName }}"
        " at {{ .output.databaseEndpoint | default('') }}"
        " by {{ .system.user.email }} for {{ .response.body.arn }}"
        "{% if .current.topic.compacted %} compacted{% endif %} {{ weird() }}",
        sample_repo,
        form,
    )
    assert said == (
        "PUT /ns/[your Stage]/[your Topic Name] on kafka-shared-01"
        " at [the database endpoint from an earlier step]"
        " by [your email] for [the arn in the answer] compacted [worked out when it runs]"
    )


def test_no_page_and_no_show_holds_template_source(sample_repo: Repository, tmp_path: Path) -> None:
    export(sample_repo, tmp_path / "site")
    for page in (tmp_path / "site/items").glob("*.html"):
        shown = html.unescape(page.read_text().split("<h2>Request it")[0])
        assert "{{" not in shown and "{%" not in shown, page
    bundle = (tmp_path / "site/items/bundle-webapp-standard.html").read_text()
    assert "namespaces/[your Stage]/[your Application Name]" in html.unescape(bundle)
    for offering in discovery.offerings(sample_repo):
        data = discovery.describe(sample_repo, offering)
        assert "{{" not in repr(data.get("steps", "")) + repr(data.get("components", ""))


@pytest.mark.parametrize(
    ("key", "value", "row"),
    [
        ("estimatedMinutes", 20, ("Estimated time", "about 20 minutes")),
        ("estimatedMinutes", 1, ("Estimated time", "about 1 minute")),
        ("slaDays", 2, ("SLA", "2 days")),
        ("backupRetentionDays", 7, ("Backup retention", "7 days")),
        ("defaultPort", 5432, ("Default port", "5432")),
        ("kmsAlias", "alias/x", ("KMS alias", "alias/x")),
        ("days", 3, ("Days", "3")),
    ],
)
def test_custom_metadata_reads_as_words(key: str, value: object, row: tuple[str, str]) -> None:
    assert fact(key, value, str(value)) == row


def test_the_bundle_page_says_its_estimate_in_words(
    sample_repo: Repository, tmp_path: Path
) -> None:
    export(sample_repo, tmp_path / "site")
    page = (tmp_path / "site/items/bundle-webapp-standard.html").read_text()
    assert "<tr><th>Estimated time</th><td>about 20 minutes</td></tr>" in page
    assert not re.search(r"<th>estimatedMinutes</th>", page)
