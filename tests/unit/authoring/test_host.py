"""Where the site's Open pull request button points: pac.yaml, then GitHub Actions."""

from __future__ import annotations

import pytest

from pac.authoring.host import DEFAULT_BRANCH, repository_host
from pac.documents.config import PacConfig

ACTIONS = {"GITHUB_SERVER_URL": "https://github.example.com", "GITHUB_REPOSITORY": "acme/catalog"}


def test_pac_yaml_names_the_repository_and_branch() -> None:
    host = repository_host(
        PacConfig(repository_url="https://github.com/acme/catalog/", repository_branch="trunk"),
        ACTIONS,
    )
    assert (host.url, host.branch, host.why_not, host.problem) == (
        "https://github.com/acme/catalog",
        "trunk",
        "",
        "",
    )


def test_in_ci_the_actions_variables_are_the_default() -> None:
    host = repository_host(PacConfig(), ACTIONS)
    assert host.url == "https://github.example.com/acme/catalog"
    assert host.branch == DEFAULT_BRANCH
    assert host.as_data()["url"] == host.url


def test_without_an_address_the_page_says_why() -> None:
    host = repository_host(PacConfig(), {})
    assert host.url == "" and host.problem == ""
    assert "repository.url in pac.yaml" in host.why_not


@pytest.mark.parametrize(
    "url",
    [
        "git@github.com:acme/catalog.git",
        "javascript:alert(1)",
        "ftp://x/y",
        "https://",
        "https://a b",
    ],
)
def test_an_address_that_is_not_a_web_address_is_reported(url: str) -> None:
    host = repository_host(PacConfig(repository_url=url), ACTIONS)
    assert host.url == ""
    assert "not a web (http or https) address" in host.why_not
    assert "is not an http(s) address" in host.problem and "https://github.com/" in host.problem
