"""`pac export --backstage`: the catalog as Backstage entities — a Software Template per item
and bundle, a Resource per live request, and the Location that lists them (SPEC §9).

This module decides where the entities go, what they are named and which repository their
pull requests open against; the templates themselves are built in `backstage_template.py`.
Every file is YAML written by a YAML library, so catalog text is always data.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import yaml

from pac.authoring.backstage_template import TemplateFiles, template_files
from pac.authoring.host import web_address
from pac.documents.layout import REQUESTS
from pac.documents.model import Offering, Request
from pac.documents.repository import Repository
from pac.errors import UsageError
from pac.records.states import RequestState
from pac.records.status import RequestStatus
from pac.records.store import StatusError, StatusStore

FOLDER = "backstage"  # inside the export
LOCATION_FILE = f"{FOLDER}/catalog-info.yaml"
CATALOG_API = "backstage.io/v1alpha1"
RESOURCE_TYPE = "pac-request"
ANNOTATION = "pac.catalog"  # the prefix of pac's annotations, a DNS-style name
MAX_NAME = 63
_NAME_INVALID = re.compile(r"[^A-Za-z0-9._-]+")
_NAME_EDGES = re.compile(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$")
_TAG_INVALID = re.compile(r"[^a-z0-9:+#]+")


@dataclass(frozen=True)
class Publishing:
    """Where the templates' pull requests go and where the site's pages are."""

    url: str  # the repository's web address, no trailing slash
    host: str  # e.g. github.com, or a GitHub Enterprise host
    owner: str
    name: str
    branch: str  # the branch pull requests target; "" for the repository's default
    site_url: str = ""  # the published site (pac export), no trailing slash; "" if unknown

    @property
    def repo_url(self) -> str:
        """The repository as Backstage's publish actions name it."""
        return f"{self.host}?owner={quote(self.owner, safe='')}&repo={quote(self.name, safe='')}"

    def site_page(self, path: str) -> str:
        return f"{self.site_url}/{path}" if self.site_url else ""

    def file_url(self, path: str) -> str:
        return f"{self.url}/blob/{quote(self.branch or 'HEAD', safe='')}/{quote(path)}"


def publishing(url: str, branch: str, environ: Mapping[str, str], site_url: str = "") -> Publishing:
    """The repository Backstage opens pull requests against: `repository.url` in pac.yaml,
    else (in CI) the GitHub Actions variables. Raises UsageError when there is none."""
    fix = (
        "Set repository.url in pac.yaml to the repository's web page, e.g. "
        "https://github.com/acme/catalog (GitHub or GitHub Enterprise)."
    )
    address = url.strip()
    source = "repository.url in pac.yaml"
    if not address:
        server = environ.get("GITHUB_SERVER_URL", "").strip().rstrip("/")
        name = environ.get("GITHUB_REPOSITORY", "").strip()
        address = f"{server}/{name}" if server and name else ""
        source = "GITHUB_SERVER_URL/GITHUB_REPOSITORY"
    if not address:
        raise UsageError("--backstage needs the repository's web address, and none is set", fix)
    parts = urlsplit(address.rstrip("/"))
    path = [p for p in parts.path.split("/") if p]
    if not web_address(address) or len(path) != 2:
        raise UsageError(
            f"{source} {address!r} is not the http(s) address of a repository "
            "(https://<host>/<owner>/<name>)",
            fix,
        )
    owner, name = path[0], path[1].removesuffix(".git")
    site = site_url.strip().rstrip("/")
    if site and not web_address(site):
        raise UsageError(
            f"--site-url {site_url!r} is not an http(s) address",
            "Give the address the site is published at, e.g. https://acme.github.io/catalog.",
        )
    base = f"{parts.scheme}://{parts.netloc}/{owner}/{name}"
    return Publishing(base, parts.netloc, owner, name, branch.strip(), site)


def entity_name(prefix: str, text: str) -> str:
    """A Backstage entity name for `text`: at most 63 of `[A-Za-z0-9._-]`, starting and
    ending with a letter or digit. A name that had to change gets a short digest of the
    original, so two different ids never share one."""
    wanted = f"{prefix}{text}"
    cleaned = _NAME_EDGES.sub("", _NAME_INVALID.sub("-", wanted))
    if cleaned == wanted and len(cleaned) <= MAX_NAME:
        return cleaned
    digest = hashlib.sha256(wanted.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    head = _NAME_EDGES.sub("", cleaned[: MAX_NAME - len(digest) - 1])
    return f"{head}-{digest}" if head else f"pac-{digest}"


def tags(words: Iterable[str]) -> list[str]:
    """Backstage tags (`[a-z0-9:+#]` words joined by `-`, at most 63) for the given words."""
    found: list[str] = []
    for word in words:
        tag = "-".join(p for p in _TAG_INVALID.split(word.lower()) if p)[:MAX_NAME].strip("-")
        if tag and tag not in found:
            found.append(tag)
    return found


_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: a template has 300 nodes


def dump(document: Mapping[str, Any]) -> str:
    """One entity as YAML: non-printable characters escaped, so any YAML reader agrees."""
    return yaml.dump(
        dict(document),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def _owner_refs(repo: Repository, offering: Offering) -> list[str]:
    """The GitHub handles that own an offering: its category's code owners (a bundle's
    are those of its components' categories too)."""
    categories = {offering.category}
    for component in getattr(offering, "components", ()):
        item = repo.item(component.catalog_item)
        if item is not None:
            categories.add(item.category)
    handles: list[str] = []
    for category_id in sorted(categories):
        category = repo.categories.get(category_id)
        for handle in category.codeowners if category else ():
            if handle not in handles:
                handles.append(handle)
    return handles


def _status(store: StatusStore, request_id: str) -> tuple[RequestStatus | None, str]:
    try:
        return store.load(request_id), ""
    except StatusError as exc:
        return None, str(exc)


def _tickets(status: RequestStatus | None) -> list[tuple[str, str, str]]:
    """(key, team, url) of every ticket the request's tasks opened, current revision last."""
    if status is None:
        return []
    tasks = [task for revision in status.revisions for task in revision.tasks] + status.tasks
    found: dict[str, tuple[str, str, str]] = {}
    for task in tasks:
        if task.ticket_key:
            url = task.ticket_url if web_address(task.ticket_url) else ""
            found[task.ticket_key] = (task.ticket_key, task.owner_team, url)
    return list(found.values())


def _request_links(
    pub: Publishing, request: Request, tickets: list[tuple[str, str, str]]
) -> list[dict[str, str]]:
    links = [{"url": pub.file_url(_request_path(request)), "title": "Request file"}]
    page = pub.site_page(f"requests/{quote(request.id, safe='')}.html")
    if page:
        links.insert(0, {"url": page, "title": "Request page"})
    for key, team, url in tickets:
        if url:
            links.append({"url": url, "title": f"{key} ({team})" if team else key})
    return links


def _request_path(request: Request) -> str:
    return f"{REQUESTS}/{request.requester.team}/{request.id}.yaml"


def resource_entity(
    pub: Publishing, request: Request, status: RequestStatus | None, problem: str = ""
) -> dict[str, Any]:
    """A live request as a Backstage Resource owned by the requesting team."""
    state = status.state.value if status else RequestState.SUBMITTED.value
    tickets = _tickets(status)
    annotations = {
        f"{ANNOTATION}/request-id": request.id,
        f"{ANNOTATION}/state": state,
        f"{ANNOTATION}/tickets": ", ".join(key for key, _, _ in tickets),
        f"{ANNOTATION}/target": request.target_id,
        "backstage.io/source-location": f"url:{pub.file_url(_request_path(request))}",
    }
    page = pub.site_page(f"requests/{quote(request.id, safe='')}.html")
    if page:
        annotations[f"{ANNOTATION}/site-page"] = page
    if status is not None:
        annotations[f"{ANNOTATION}/revision"] = str(status.revision)
    if problem:
        annotations[f"{ANNOTATION}/status-problem"] = problem
    description = " ".join(request.description.split()) or f"{request.target_id}, filed with pac"
    return {
        "apiVersion": CATALOG_API,
        "kind": "Resource",
        "metadata": {
            "name": entity_name("pac-request-", request.id),
            "title": request.id,
            "description": description,
            "annotations": annotations,
            "tags": tags(["pac", state]),
            "links": _request_links(pub, request, tickets),
        },
        "spec": {
            "type": RESOURCE_TYPE,
            "owner": f"group:{entity_name('', request.requester.team)}",
        },
    }


def location_entity(targets: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": CATALOG_API,
        "kind": "Location",
        "metadata": {
            "name": "pac-catalog",
            "description": (
                "The pac catalog: a Software Template per offering, a Resource per request."
            ),
        },
        "spec": {"type": "url", "targets": targets},
    }


def _resources(repo: Repository, pub: Publishing) -> dict[str, str]:
    store = StatusStore(repo.root)
    files: dict[str, str] = {}
    for request in repo.requests():
        status, problem = _status(store, request.id)
        if status is not None and status.state is RequestState.DECOMMISSIONED:
            continue
        entity = resource_entity(pub, request, status, problem)
        files[f"{FOLDER}/resources/{entity['metadata']['name']}.yaml"] = dump(entity)
    return files


def backstage_files(repo: Repository, offerings: list[Offering], pub: Publishing) -> dict[str, str]:
    """Every Backstage file of the export by its path in it: templates, their request
    file templates, resources and the Location listing them."""
    files: dict[str, str] = {}
    entities: list[str] = []
    for offering in offerings:
        name = entity_name("pac-", offering.id)
        built: TemplateFiles = template_files(
            offering, name, pub, _owner_refs(repo, offering), tags(["pac", *offering.tags])
        )
        entities.append(f"templates/{name}/template.yaml")
        files[f"{FOLDER}/{entities[-1]}"] = dump(built.entity)
        for path, text in built.content.items():
            files[f"{FOLDER}/templates/{name}/{path}"] = text
    resources = _resources(repo, pub)
    files.update(resources)
    entities.extend(path.removeprefix(f"{FOLDER}/") for path in resources)
    targets = [f"./{path}" for path in sorted(entities)]
    files[LOCATION_FILE] = dump(location_entity(targets))
    return files
