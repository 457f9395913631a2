"""A copy of the sample catalog with day-2 actions (SPEC §6.6), for the tests of change,
upgrade and decommission: each item gets `update` and `decommission` lists in both of its
strategies, reading the outputs its create recorded and `.previous`.

The shipped sample catalog is not touched; tests write these into their own copies.
"""

# ruff: noqa: E501 -- catalog YAML: a template is one line, as authors write them.
from __future__ import annotations

import re
from pathlib import Path

import yaml

DATABASE = "catalog/databases/database-aurora-postgresql-standard.yaml"
SECRETS_ITEM = "catalog/security/security-parameterstore-standard.yaml"
COMPUTE = "catalog/compute/compute-eks-containerapp.yaml"
KAFKA = "catalog/messaging/messaging-kafka-topic.yaml"

_DB_AUTOMATIC = """
    update:
      - type: rest-api
        name: Resize the Aurora cluster
        config:
          endpoint:
            url: "https://dbaas.platform.internal/api/v1/clusters/{{ .output.databaseArn }}"
            method: PATCH
          headers:
            X-Correlation-Id: "{{ .system.correlationId }}"
          body:
            type: json
            contentTemplate: |
              {"instanceClass": "{{ .current.database.instanceClass }}", "storageGb": {{ .current.database.storageGb }}, "was": "{{ .previous.database.instanceClass }}", "operation": "{{ .system.operation }}", "revision": {{ .system.revision }}, "changed": {{ .system.changedFields }}}
          authentication: {type: bearer, token: {secretRef: DBAAS_API_TOKEN}}
        outputs:
          resizedTo: "{{ .response.body.echo.instanceClass }}"
    decommission:
      - type: rest-api
        name: Delete the Aurora cluster
        config:
          endpoint:
            url: "https://dbaas.platform.internal/api/v1/clusters/{{ .output.databaseArn }}"
            method: DELETE
          headers:
            X-Reason: "{{ .system.reason }}"
          authentication: {type: bearer, token: {secretRef: DBAAS_API_TOKEN}}
"""

_SECRETS_AUTOMATIC = """
    update:
      - type: rest-api
        name: Update the secrets namespace
        config:
          endpoint:
            url: "https://secrets.platform.internal/api/v2/namespaces/{{ .current.environment.stage }}/{{ .current.name }}"
            method: PUT
          body:
            type: json
            contentTemplate: |
              {"rotationDays": {{ .current.secrets.rotationDays }}, "notify": "{{ .current.secrets.notifyEmail }}"}
          authentication: {type: api-key, header: X-Api-Key, key: {secretRef: SECRETS_API_KEY}}
    decommission:
      - type: rest-api
        name: Delete the secrets namespace
        config:
          endpoint:
            url: "https://secrets.platform.internal/api/v2/namespaces/{{ .current.environment.stage }}/{{ .current.name }}"
            method: DELETE
          authentication: {type: api-key, header: X-Api-Key, key: {secretRef: SECRETS_API_KEY}}
"""

_COMPUTE_AUTOMATIC = """
    update:
      - type: rest-api
        name: Update the deployment
        config:
          endpoint:
            url: "https://k8s.platform.internal/api/v1/namespaces/{{ .output.namespace }}/apps/{{ .current.name }}"
            method: PATCH
          body:
            type: json
            contentTemplate: |
              {"image": "{{ .current.app.image }}", "replicas": {{ .current.app.replicas }}}
          authentication: {type: bearer, token: {secretRef: K8S_PLATFORM_TOKEN}}
    decommission:
      - type: rest-api
        name: Delete the namespace
        config:
          endpoint:
            url: "https://k8s.platform.internal/api/v1/namespaces/{{ .output.namespace }}"
            method: DELETE
          authentication: {type: bearer, token: {secretRef: K8S_PLATFORM_TOKEN}}
"""


def _manual(project: str, what: str, reads: str) -> str:
    """A manual strategy's change and decommission tickets for `project`."""
    return f"""
    update:
      - type: jira-ticket
        name: Change {what}
        config:
          ticket:
            project: {project}
            issueType: Task
            summaryTemplate: "Change {what} {{{{ .current.name }}}} (revision {{{{ .system.revision }}}})"
            descriptionTemplate: |
              Changed: {{{{ .system.changedFields }}}}
              {reads}
            labels: [pac, change]
    decommission:
      - type: jira-ticket
        name: Remove {what}
        config:
          ticket:
            project: {project}
            issueType: Task
            summaryTemplate: "Remove {what} {{{{ .current.name }}}}: {{{{ .system.reason }}}}"
            labels: [pac, decommission]
"""


_MANUAL = {
    DATABASE: _manual(
        "DBA",
        "database",
        "Instance class: {{ .previous.database.instanceClass }} -> "
        "{{ .current.database.instanceClass }}",
    ),
    SECRETS_ITEM: _manual(
        "SEC",
        "secrets namespace",
        "Rotation: {{ .previous.secrets.rotationDays }} -> {{ .current.secrets.rotationDays }}",
    ),
    COMPUTE: _manual(
        "PLATFORM",
        "deployment",
        "Image: {{ .previous.app.image }} -> {{ .current.app.image }}",
    ),
    KAFKA: _manual(
        "MSG",
        "Kafka topic",
        "Partitions: {{ .previous.topic.partitions }} -> {{ .current.topic.partitions }}",
    ),
}
_AUTOMATIC = {
    DATABASE: _DB_AUTOMATIC,
    SECRETS_ITEM: _SECRETS_AUTOMATIC,
    COMPUTE: _COMPUTE_AUTOMATIC,
}


def add_day_two(root: Path, *, skip: tuple[str, ...] = ()) -> None:
    """Give every sample item in `root` these update and decommission actions in place of
    any the sample ships, so the tests know exactly what each revision does; the items in
    `skip` are left with none at all. A text edit: the rest of the file stays as written
    (tests edit `{mode: automatic}` and friends as text)."""
    for relative, manual in _MANUAL.items():
        path = root / relative
        text = _without_day_two(path.read_text())
        automatic = _AUTOMATIC.get(relative)
        if relative in skip:
            pass
        elif automatic is not None:
            head, sep, tail = text.partition("\n  automatic:\n")
            text = head.rstrip("\n") + "\n" + manual.strip("\n") + sep + tail.rstrip("\n")
            text += "\n" + automatic.strip("\n") + "\n"
        else:
            text = text.rstrip("\n") + "\n" + manual.strip("\n") + "\n"
        yaml.safe_load(text)  # still YAML
        path.write_text(text)


def _without_day_two(text: str) -> str:
    """The item's text without the `update:` and `decommission:` lists of its strategies."""
    kept: list[str] = []
    dropping = False
    for line in text.splitlines(keepends=True):
        if re.match(r"^    (update|decommission):\s*$", line):
            dropping = True
            continue
        if dropping and (not line.strip() or line.startswith("     ")):
            continue
        dropping = False
        kept.append(line)
    return "".join(kept)


def set_input(root: Path, request_file: str, group: str, key: str, value: object) -> None:
    """Change one field of a request file, as a developer's pull request does."""
    path = root / request_file
    data = yaml.safe_load(path.read_text())
    data["input"].setdefault(group, {})[key] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def set_top(root: Path, request_file: str, key: str, value: object) -> None:
    """Set a top-level key of a request file (`decommission`, `operations`)."""
    path = root / request_file
    data = yaml.safe_load(path.read_text())
    data[key] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def bump_version(root: Path, relative: str, new: str) -> str:
    """Ship `new` as the item's version, as its team would; returns the version it had."""
    path = root / relative
    text = path.read_text()
    found = re.search(r"^  version: (\S+)$", text, flags=re.M)
    assert found is not None, f"{relative} has no metadata.version"
    path.write_text(text[: found.start(1)] + new + text[found.end(1) :])
    return found.group(1)
