"""A small day-2 catalog for tests: two cache items whose update and decommission lists a
test chooses, a bundle of both, a request for each, and the status `pac apply` would have
left after fulfilling them (written with the records API).

Its own documents, not the sample's: the sample catalog's day-2 actions and requests change
as it grows, and a test of a refusal must know exactly which lists exist and on which line
each value is.
"""

from __future__ import annotations

from pathlib import Path

from pac.documents.repository import Repository
from pac.forms.changes import effective_input
from pac.records.digest import ask_digest
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus
from pac.records.store import StatusStore

REDIS = "catalog/databases/database-redis-cache.yaml"
MEMCACHE = "catalog/databases/database-memcache-standard.yaml"
BUNDLE = "catalog/bundles/bundle-caches-standard.yaml"
REQUEST = "requests/shop/shop-cache.yaml"
BUNDLE_REQUEST = "requests/shop/shop-caches.yaml"

_ITEM = """schemaVersion: catalog/v1
kind: CatalogItem
metadata:
  id: {id}
  name: {name}
  description: An in-memory cache cluster with replication and automatic failover for fast reads.
  version: 1.1.0
  category: databases
  owner: {{team: platform-databases-team, contact: dba@company.com}}
input:
  form:
    name: Cache Name
    type: string
    required: true
    validation: {{pattern: "^[a-z][a-z0-9-]{{2,28}}[a-z0-9]$"}}
    groups:
      - id: cache
        name: Cache
        fields:
          - id: engine
            name: Engine
            type: select
            enum: [redis, valkey, memcached]
            default: {engine}
            immutable: true
          - id: {field}
            name: Size
            type: select
            enum: [small, large]
            default: small
fulfillment:
  strategy: {{mode: manual}}
  manual:
    actions:
      - type: jira-ticket
        config:
          ticket:
            project: DBA
            issueType: Task
            summaryTemplate: "{name} {{{{ .current.name }}}} ({{{{ .current.cache.{field} }}}})"
        outputs:
          cacheTicket: "{{{{ .response.key }}}}"
"""
_LIST = """    {list}:
      - type: jira-ticket
        config:
          ticket:
            project: DBA
            issueType: Task
            summaryTemplate: "{verb} {{{{ .previous.name }}}} ({{{{ .current.cache.{field} }}}})"
"""

_REQUEST = """schemaVersion: catalog/v1
kind: Request
metadata:
  id: {id}
  requester: {{email: sam@company.com, name: Sam Shop, team: shop}}
{target}
input:
  name: {id}
  cache:
    engine: {engine}
    {field}: small
"""


def write_item(
    root: Path, which: str = REDIS, *, update: bool = False, decommission: bool = False
) -> None:
    """One of the two cache items, with the day-2 lists asked for."""
    redis = which == REDIS
    names = {
        "id": "database-redis-cache" if redis else "database-memcache-standard",
        "name": "Redis Cache" if redis else "Memcache Standard",
        "engine": "redis" if redis else "memcached",
        "field": "nodeType" if redis else "memory",
    }
    text = _ITEM.format(**names)
    for wanted, name, verb in (
        (update, "update", "Change"),
        (decommission, "decommission", "Delete"),
    ):
        if wanted:
            text += _LIST.format(list=name, verb=verb, field=names["field"])
    (root / which).write_text(text, encoding="utf-8")


def write_bundle(root: Path) -> None:
    """Both caches in one bundle: `cache.nodeType` is read by redis, `cache.memory` by
    memcache only, and `cache.engine` by both."""
    (root / BUNDLE).write_text(
        """schemaVersion: catalog/v1
kind: CatalogBundle
metadata:
  id: bundle-caches-standard
  name: Caches Standard
  description: A Redis cache and a Memcache cluster side by side, for services that need both kinds.
  version: 1.0.0
  category: bundles
  owner: {team: developer-experience-team, contact: devex@company.com}
components:
  - {id: redis, catalogItem: database-redis-cache, dependsOn: []}
  - {id: memcache, catalogItem: database-memcache-standard, dependsOn: [redis]}
input:
  form:
    name: Stack Name
    type: string
    required: true
    validation: {pattern: "^[a-z][a-z0-9-]{2,28}[a-z0-9]$"}
    groups:
      - id: cache
        name: Cache
        fields:
          - {id: engine, name: Engine, type: select, enum: [redis, valkey, memcached],
             default: redis}
          - {id: nodeType, name: Node Type, type: select, enum: [small, large], default: small}
          - {id: memory, name: Memory, type: select, enum: [small, large], default: small}
fulfillment:
  orchestration:
    mode: sequential
    jiraLinking: {linkType: Blocks, parentTicket: false}
""",
        encoding="utf-8",
    )


def write_requests(root: Path) -> None:
    """`shop-cache` for the Redis item, `shop-caches` for the bundle."""
    folder = root / "requests/shop"
    folder.mkdir(parents=True, exist_ok=True)
    (root / REQUEST).write_text(
        _REQUEST.format(
            id="shop-cache",
            target="catalogItemId: database-redis-cache",
            engine="redis",
            field="nodeType",
        ),
        encoding="utf-8",
    )
    (root / BUNDLE_REQUEST).write_text(
        _REQUEST.format(
            id="shop-caches",
            target="bundleId: bundle-caches-standard",
            engine="redis",
            field="nodeType",
        )
        + "    memory: small\n",
        encoding="utf-8",
    )


def day_two_catalog(root: Path) -> Path:
    """Both items without day-2 lists, the bundle, and the two requests (no status yet)."""
    write_item(root, REDIS)
    write_item(root, MEMCACHE)
    write_bundle(root)
    write_requests(root)
    return root


def write_status(
    root: Path,
    request_id: str = "shop-cache",
    state: RequestState = RequestState.COMPLETED,
    *,
    legacy: bool = False,
    begun: bool = True,
) -> RequestStatus:
    """The status `pac apply` leaves after fulfilling the request as its file is now
    (`legacy`: one written before revisions recorded the input, with its digest only)."""
    repo = Repository(root)
    request = repo.request(request_id)
    assert request is not None
    offering = repo.offering(request.target_id)
    assert offering is not None
    status = RequestStatus(
        request=request_id,
        state=state,
        target_kind=offering.kind,
        target_id=offering.id,
        target_version=offering.version,
        input_digest=ask_digest(request.target_id, request.input),
        input={} if legacy else effective_input(offering.form, request.input),
        item_versions={offering.id: offering.version},
        created_at="2026-11-02T09:14:05Z",
    )
    status.tasks.append(
        TaskStatus(
            key=f"{request_id}/{offering.id}/manual/0",
            component=offering.id,
            catalog_item=offering.id,
            action="jira-ticket",
            strategy="manual",
            index=0,
            label="Cache ticket",
            owner_team=offering.owner.team,
            owner_contact=offering.owner.contact,
            state=TaskState.COMPLETED if begun else TaskState.PENDING,
            attempts=1 if begun else 0,
            ticket_key="DBA-17" if begun else "",
            outputs={"cacheTicket": "DBA-17"} if begun else {},
        )
    )
    StatusStore(root).save(status)
    return status


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
