"""Where the site's pull-request buttons go: the repository's web address and branch, from
`repository.url` in pac.yaml or, in CI, the GitHub Actions variables (SPEC §6.5, §9).

The pages get the answer as data; when there is no usable address they still build and
say why the button is missing, and the export reports a misconfigured address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pac.documents.config import PacConfig
from pac.text import web_address

__all__ = ["DEFAULT_BRANCH", "MAX_LINK", "Host", "repository_host", "web_address"]

DEFAULT_BRANCH = "main"
# Longer links are cut or refused along the way (GitHub answers 414 above about 8 KB):
# the page offers copy and download instead.
MAX_LINK = 8000


@dataclass(frozen=True)
class Host:
    """The repository's web address (no trailing slash) and branch, or why there is none."""

    url: str
    branch: str
    why_not: str = ""
    problem: str = ""  # a misconfiguration the export reports, e.g. a non-http(s) URL

    def as_data(self) -> dict[str, object]:
        return {
            "url": self.url,
            "branch": self.branch,
            "whyNot": self.why_not,
            "maxLink": MAX_LINK,
        }


def repository_host(config: PacConfig, environ: Mapping[str, str]) -> Host:
    """The address pull requests are opened at: pac.yaml first, then GitHub Actions'."""
    branch = config.repository_branch or DEFAULT_BRANCH
    configured = config.repository_url.strip()
    if configured:
        if not web_address(configured):
            return Host(
                "",
                branch,
                why_not="the repository address in pac.yaml is not a web (http or https) address",
                problem=(
                    f"pac.yaml: repository.url {configured!r} is not an http(s) address, so "
                    "the site offers copy and download instead of an Open pull request button. "
                    "Set it to the repository's web page, e.g. https://github.com/acme/catalog."
                ),
            )
        return Host(configured.rstrip("/"), branch)
    server = environ.get("GITHUB_SERVER_URL", "").strip()
    name = environ.get("GITHUB_REPOSITORY", "").strip()
    if server and name and web_address(f"{server.rstrip('/')}/{name}"):
        return Host(f"{server.rstrip('/')}/{name}", branch)
    return Host(
        "",
        branch,
        why_not="this site does not know the repository's web address (repository.url in pac.yaml)",
    )
