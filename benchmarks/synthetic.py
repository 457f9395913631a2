"""A synthetic catalog repository for benchmarks: items, bundles and requests at scale.

Documents are derived from the shipped sample catalog so they exercise the same features
(every field type, templates, both action types, custom metadata, outputs).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

SAMPLE_PARTS = ("catalog", "templates", "pac.yaml", "CODEOWNERS")


def copy_sample_catalog(root: Path) -> None:
    """The shipped sample catalog (no requests) into `root`, for benchmarks to build on."""
    for part in SAMPLE_PARTS:
        source = PROJECT / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copy2(source, root / part)


_SOURCES = {
    "databases": ("database-aurora-postgresql-standard", "database", "platform-databases-team"),
    "compute": ("compute-eks-containerapp", "compute", "platform-compute-team"),
    "security": ("security-parameterstore-standard", "security", "platform-security-team"),
    "messaging": ("messaging-kafka-topic", "messaging", "platform-messaging-team"),
}
_REQUESTS = {
    "databases": "requests/payments/payments-webapp.yaml",
    "messaging": "requests/payments/payments-events.yaml",
}


def _item_text(root: Path, category: str, index: int) -> tuple[str, str]:
    source_id, prefix, _ = _SOURCES[category]
    text = (PROJECT / "catalog" / category / f"{source_id}.yaml").read_text()
    new_id = f"{prefix}-svc{index:04d}-standard"
    text = text.replace(source_id, new_id)
    # A description template that names its item's metadata is the item's own: give
    # each synthetic item its copy, as a real team would.
    match = re.search(r"descriptionTemplateFile: (\S+)", text)
    if match:
        template = (PROJECT / "templates/jira" / match.group(1)).read_text()
        if source_id in template:
            own = f"{new_id}.j2"
            (root / "templates/jira" / own).write_text(template.replace(source_id, new_id))
            text = text.replace(match.group(0), f"descriptionTemplateFile: {own}")
    return new_id, text


def build(
    root: Path, items: int = 2000, bundles: int = 200, requests: int = 2000
) -> dict[str, list[Path]]:
    """Write a repository with the given numbers of documents; returns their paths."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for name in ("pac.yaml", "CODEOWNERS"):
        shutil.copy2(PROJECT / name, root / name)
    shutil.copytree(PROJECT / "templates", root / "templates")
    (root / "catalog").mkdir()
    shutil.copy2(PROJECT / "catalog/categories.yaml", root / "catalog/categories.yaml")
    written: dict[str, list[Path]] = {"items": [], "bundles": [], "requests": []}

    categories = list(_SOURCES)
    ids: dict[str, list[str]] = {c: [] for c in categories}
    for index in range(items):
        category = categories[index % len(categories)]
        new_id, text = _item_text(root, category, index)
        path = root / "catalog" / category / f"{new_id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        ids[category].append(new_id)
        written["items"].append(path)

    bundle_text = (PROJECT / "catalog/bundles/bundle-webapp-standard.yaml").read_text()
    (root / "catalog/bundles").mkdir()
    bundle_ids = []
    for index in range(bundles):
        bundle_id = f"bundle-app{index:04d}-standard"
        text = bundle_text.replace("bundle-webapp-standard", bundle_id)
        text = text.replace(
            "database-aurora-postgresql-standard",
            ids["databases"][index % len(ids["databases"])],
        )
        text = text.replace(
            "security-parameterstore-standard", ids["security"][index % len(ids["security"])]
        )
        text = text.replace("compute-eks-containerapp", ids["compute"][index % len(ids["compute"])])
        path = root / "catalog/bundles" / f"{bundle_id}.yaml"
        path.write_text(text)
        bundle_ids.append(bundle_id)
        written["bundles"].append(path)

    webapp = (PROJECT / _REQUESTS["databases"]).read_text()
    events = (PROJECT / _REQUESTS["messaging"]).read_text()
    for index in range(requests):
        team = f"team{index % 50:02d}"
        request_id = f"req{index:05d}"
        if index % 2 == 0 and bundle_ids:
            text = webapp.replace("payments-webapp", request_id).replace(
                "bundle-webapp-standard", bundle_ids[index % len(bundle_ids)]
            )
        else:
            target = ids["messaging"][index % len(ids["messaging"])]
            text = events.replace("    schemaFile: payments-events.avsc\n", "")
            text = text.replace("payments-events", request_id)
            text = text.replace("messaging-kafka-topic", target)
        text = text.replace("team: payments", f"team: {team}")
        path = root / "requests" / team / f"{request_id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written["requests"].append(path)
    return written
