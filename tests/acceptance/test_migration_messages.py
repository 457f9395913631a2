"""Messages a team migrating from the seed's format can act on (issue 11, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pac.authoring import discovery as catalog
from pac.diagnostics import Position
from pac.documents.loader import MAX_ESCAPES, parse_bytes
from pac.documents.repository import Repository
from pac.errors import UsageError
from pac.templating.engine import compile_template
from pac.templating.errors import TemplateError
from pac.templating.gosyntax import go_tags
from pac.validation.run import validate
from tests.conftest import invoke

GO_TEMPLATES = {
    "{{if .current.name}}x{{end}}": ["{% if .current.name %}", "{% endif %}"],
    "{{ if .current.a }}x{{ else if .current.b }}y{{ else }}z{{ end }}": [
        "{% if .current.a %}",
        "{% elif .current.b %}",
        "{% else %}",
        "{% endif %}",
    ],
    "{{range .current.db.extensions}}{{.}}, {{end}}": [
        "{% for item in .current.db.extensions %}",
        "{{ item }}",
        "{% endfor %}",
    ],
    '{{ .current.name | default "none" }}': ["{{ .current.name | default('none') }}"],
    '{{ default "none" .current.name }}': ["{{ .current.name | default('none') }}"],
    '{{- if eq .current.env.stage "prod" -}}P{{- end -}}': [
        "{%- if .current.env.stage == 'prod' -%}",
        "{%- endif -%}",
    ],
    "{{ with .current.app.owner }}{{ . }}{{ end }}": [
        "{% if .current.app.owner %}",
        "{{ .current.app.owner }}",
        "{% endif %}",
    ],
    '{{ index .current.app "image" }}': ["{{ .current.app['image'] }}"],
    "{{ upper .current.name }}": ["{{ .current.name | upper }}"],
}


@pytest.mark.parametrize("source", sorted(GO_TEMPLATES))
def test_go_template_syntax_gets_its_jinja_spelling(source: str) -> None:
    with pytest.raises(TemplateError) as caught:
        compile_template(source)
    error = caught.value
    assert "is Go template syntax, not Jinja" in error.message
    assert "_pac" not in error.message
    for jinja in GO_TEMPLATES[source]:
        assert jinja in error.hint


@pytest.mark.parametrize("source", sorted(GO_TEMPLATES))
def test_the_jinja_spelling_compiles(source: str) -> None:
    rebuilt = source
    for tag in go_tags(source):
        rebuilt = rebuilt.replace(tag.written, tag.jinja, 1)
    assert compile_template(rebuilt)


def test_valid_jinja_is_never_taken_for_go() -> None:
    for source in ("{{ .current.name | upper }}", "{% if .current.a %}x{% endif %}"):
        compile_template(source)
    # Jinja errors that have nothing to do with Go keep Jinja's own message.
    with pytest.raises(TemplateError) as caught:
        compile_template("{{ .current.name | nosuchfilter }}")
    assert "Go template" not in caught.value.message


def test_the_finding_points_at_the_go_tag(sample_root: Path) -> None:
    item = sample_root / "catalog/databases/database-aurora-postgresql-standard.yaml"
    text = item.read_text()
    old = "({{ .current.environment.stage }})"
    assert old in text
    item.write_text(text.replace(old, "{{if .current.database.encrypted}} (encrypted){{end}}", 1))
    result = validate(Repository(sample_root), paths=[item])
    (found,) = [d for d in result.diagnostics if d.code == "template-syntax"]
    line = item.read_text().splitlines()[found.line - 1]
    assert line[found.column - 1 :].startswith("{{if .current.database.encrypted}}")
    assert "{% if .current.database.encrypted %}" in found.hint


def test_a_regex_in_double_quotes_gets_a_hint_about_yaml_escapes() -> None:
    raw = b'a: 1\nvalidation: {pattern: "^[0-9]+-\\d{2}$"}\n'
    (found,) = parse_bytes(raw, Path("x.yaml"), "x.yaml").diagnostics
    assert found.code == "yaml-syntax"
    assert found.message == r"invalid YAML: \d in a double-quoted string is not a YAML escape"
    assert "single quotes" in found.hint
    assert "': '" not in found.hint
    assert (found.line, found.column) == (2, 32)  # the backslash


def test_a_bundle_without_category_is_told_to_use_bundles(sample_root: Path) -> None:
    bundle = sample_root / "catalog/bundles/bundle-webapp-standard.yaml"
    bundle.write_text(bundle.read_text().replace("  category: bundles\n", ""))
    result = validate(Repository(sample_root), paths=[bundle])
    (found,) = [d for d in result.diagnostics if d.code == "schema-required"]
    assert "`category: bundles`" in found.hint
    assert "database-aurora-postgresql-standard" not in found.hint


def test_an_item_without_category_is_told_its_folder(sample_root: Path) -> None:
    item = sample_root / "catalog/databases/database-aurora-postgresql-standard.yaml"
    item.write_text(item.read_text().replace("  category: databases\n", ""))
    result = validate(Repository(sample_root), paths=[item])
    (found,) = [d for d in result.diagnostics if d.code == "schema-required"]
    assert "`category: databases` for catalog/databases/" in found.hint


def test_catalog_get_points_to_show(sample_root: Path) -> None:
    code, out = invoke(sample_root, "catalog", "get", "messaging-kafka-topic")
    assert code == 2
    assert "pac has no `catalog get`" in out
    assert "pac catalog show messaging-kafka-topic" in out
    assert "Traceback" not in out


def test_catalog_search_forgives_a_misspelt_word(sample_root: Path) -> None:
    code, out = invoke(sample_root, "catalog", "search", "kafak", "-o", "json")
    assert code == 0
    assert "note: nothing matches 'kafak'; showing 'kafka'." in out
    assert '"id": "messaging-kafka-topic"' in out


def test_catalog_search_still_says_when_nothing_is_near(sample_root: Path) -> None:
    code, out = invoke(sample_root, "catalog", "search", "zzqqxx")
    assert code == 1 and "Nothing matches 'zzqqxx'." in out


def test_catalog_show_suggests_ids_for_a_part_of_one(sample_repo: Repository) -> None:
    with pytest.raises(UsageError) as caught:
        catalog.find(sample_repo, "postgress")
    assert "Did you mean database-aurora-postgresql-standard" in caught.value.hint


def test_catalog_show_suggests_the_near_id(sample_repo: Repository) -> None:
    with pytest.raises(UsageError) as caught:
        catalog.find(sample_repo, "messaging-kafka-topik")
    assert caught.value.hint == "Did you mean messaging-kafka-topic?"


def test_jinja_calls_named_like_go_keywords_are_not_go() -> None:
    tags = go_tags("{{ range(3) | list }}{{ upper .current.name }}")
    assert [t.written for t in tags] == ["{{ upper .current.name }}"]
    assert go_tags("{{ range(3) | list }}") == []


def test_the_seeds_apiversion_is_named(sample_root: Path) -> None:
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    item.write_text(item.read_text().replace("schemaVersion:", "apiVersion:", 1))
    (found,) = validate(Repository(sample_root), paths=[item]).diagnostics
    assert (found.code, found.line, found.column) == ("schema-version", 2, 1)
    assert "Rename `apiVersion:` to `schemaVersion:`" in found.hint


@pytest.mark.parametrize(("seed", "pac"), [("presentation", "input"), ("form-data", "form")])
def test_the_seeds_keys_get_pacs_names(sample_root: Path, seed: str, pac: str) -> None:
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    text = item.read_text()
    text = text.replace(
        "input:\n  form:",
        "presentation:\n  form:" if seed == "presentation" else "input:\n  form-data:",
    )
    item.write_text(text)
    result = validate(Repository(sample_root), paths=[item])
    (found,) = [d for d in result.diagnostics if d.code == "schema-unknown-key"]
    assert f"in pac write `{pac}:`" in found.hint


def test_an_enum_under_validation_is_told_to_move_up(sample_root: Path) -> None:
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    text = item.read_text().replace(
        "enum: [dev, staging, prod]", "validation: {enum: [dev, staging, prod]}", 1
    )
    item.write_text(text)
    (found,) = validate(Repository(sample_root), paths=[item]).diagnostics
    assert found.code == "schema-unknown-key"
    assert "move it up one level" in found.hint


# --- one round: every finding of a seed template at once (issue 11, "Done when") ---------

SEED_LINE = (
    "For {{request.user.email}} ({{request.id}}, {{metadata.id}}, {{system.date}}) "
    '{{upper(fields.instanceName)}} {{ .current.name | default "x" }}\n'
    '{{if eq .current.database.instanceClass "large"}}big {{ .current.nosuch }}{{end}}'
)


def _problems(source: str) -> dict[str, tuple[str, str]]:
    """Each problem's (code, hint) by the name its message quotes."""
    from pac.templating.analysis import analyse

    return {p.message.split("'")[1]: (p.code, p.hint) for p in analyse(source).problems}


def test_go_syntax_leaves_the_rest_of_the_template_checked() -> None:
    from pac.templating.analysis import analyse

    analysis = analyse(SEED_LINE)
    codes = [p.code for p in analysis.problems]
    assert codes.count("template-syntax") == 1  # the Go tags, named once
    syntax = next(p for p in analysis.problems if p.code == "template-syntax")
    assert '{{ .current.name | default "x" }}' in syntax.message
    assert "{% if .current.database.instanceClass == 'large' %}" in syntax.hint
    # …and what the same round must also fix:
    names = {p.message.split("'")[1] for p in analysis.problems if "'" in p.message}
    assert {"request", "metadata", "system", "upper", "fields"} <= names
    # The variables around and inside the Go tags are still read, at their own places.
    uses = {use.text(): (use.line, use.column) for use in analysis.uses}
    assert ".current.name" in uses
    go_if = '{{if eq .current.database.instanceClass "large"}}'
    plain = analyse(SEED_LINE.splitlines()[1].replace(go_if, " " * len(go_if)) + " " * 7)
    assert uses[".current.nosuch"] == (2, plain.uses[0].column)


def test_go_syntax_alone_is_one_finding() -> None:
    from pac.templating.analysis import analyse

    analysis = analyse('{{ .current.name | default "x" }}')
    assert [p.code for p in analysis.problems] == ["template-syntax"]
    assert [u.text() for u in analysis.uses] == [".current.name"]


def test_the_seeds_request_scope_gets_pacs_system_names() -> None:
    code, hint = _problems("Hi {{request.user.email}}")["request"]
    assert code == "template-unsafe"
    assert "{{ .system.requestId }}" in hint and "{{ .system.user.email }}" in hint
    assert "Python internals" not in hint


def test_a_namespace_without_its_dot_is_spelt_out_whole() -> None:
    found = _problems("{{system.date}} {{metadata.id}}")
    assert "Write {{ .system.date }}" in found["system"][1]
    assert "{{ .metadata.<item id>.id }}" in found["metadata"][1]


def test_a_filter_called_as_a_function_is_told_to_follow_its_value() -> None:
    code, hint = _problems("{{upper(.current.name)}}")["upper"]
    assert code == "template-namespace"
    assert "{{ .current.<group>.<field> | upper }}" in hint


def test_every_seed_template_finding_in_one_run_names_the_items_own_id(
    sample_root: Path,
) -> None:
    item = sample_root / "catalog/databases/database-aurora-postgresql-standard.yaml"
    text = item.read_text()
    old = "({{ .current.environment.stage }}), then delete it."  # in a block scalar
    item.write_text(text.replace(old, SEED_LINE.replace("\n", " "), 1))
    result = validate(Repository(sample_root), paths=[item])
    hints = {
        d.message.split("'")[1]: d.hint
        for d in result.diagnostics
        if d.code.startswith("template-") and "'" in d.message
    }
    assert "{{ .metadata.database-aurora-postgresql-standard.id }}" in hints["metadata"]
    assert {"request", "metadata", "system", "upper", "fields"} <= set(hints)
    assert any(d.code == "template-syntax" for d in result.diagnostics)
    # Following the hint literally is clean.
    fixed = SEED_LINE.replace("\n", " ")
    for seed, pac in (
        ("{{request.user.email}}", "{{ .system.user.email }}"),
        ("{{request.id}}", "{{ .system.requestId }}"),
        ("{{metadata.id}}", "{{ .metadata.database-aurora-postgresql-standard.id }}"),
        ("{{system.date}}", "{{ .system.date }}"),
        ("{{upper(fields.instanceName)}}", "{{ .current.name | upper }}"),
        ('{{ .current.name | default "x" }}', "{{ .current.name | default('x') }}"),
        ('{{if eq .current.database.instanceClass "large"}}', ""),
        ("big {{ .current.nosuch }}{{end}}", ""),
    ):
        fixed = fixed.replace(seed, pac)
    item.write_text(text.replace(old, fixed, 1))
    again = validate(Repository(sample_root), paths=[item])
    assert not [d for d in again.diagnostics if d.code.startswith("template-")]


# --- a required key's hint says what to write, and writing it is enough ------------------


def _snippet(hint: str) -> str:
    """The YAML a schema-required hint says to add."""
    assert hint.startswith("Add `"), hint
    return hint[len("Add `") : hint.index("`", len("Add `"))]


def _cut_block(text: str, key: str) -> str:
    """`text` without the top-level `key:` block."""
    start = text.index(f"\n{key}:") + 1
    rest = [
        m
        for m in (text.find(f"\n{k}:", start) for k in ("input", "components", "fulfillment"))
        if m > start
    ]
    return text[:start] + (text[min(rest) + 1 :] if rest else "")


@pytest.mark.parametrize(
    "document",
    [
        "catalog/databases/database-aurora-postgresql-standard.yaml",
        "catalog/bundles/bundle-webapp-standard.yaml",
    ],
)
def test_a_missing_fulfillment_hint_is_a_snippet_that_validates(
    sample_root: Path, document: str
) -> None:
    path = sample_root / document
    path.write_text(_cut_block(path.read_text(), "fulfillment"))
    result = validate(Repository(sample_root), paths=[path])
    (found,) = [d for d in result.diagnostics if d.code == "schema-required"]
    assert "fulfillment" in found.message
    snippet = _snippet(found.hint)
    assert snippet.startswith("fulfillment: {")
    path.write_text(path.read_text() + snippet + "\n")
    again = validate(Repository(sample_root), paths=[path])
    assert not [d for d in again.diagnostics if d.code.startswith("schema-")]


def test_the_name_fields_validation_and_a_groups_name_are_spelt_out(sample_root: Path) -> None:
    path = sample_root / "catalog/bundles/bundle-webapp-standard.yaml"
    text = path.read_text()
    validation = '    validation: {pattern: "^[a-z][a-z0-9-]{2,28}[a-z0-9]$"}\n'
    group_name = "        name: Environment\n"
    assert validation in text and group_name in text
    path.write_text(text.replace(validation, "", 1).replace(group_name, "", 1))
    result = validate(Repository(sample_root), paths=[path])
    hints = {d.message: d.hint for d in result.diagnostics if d.code == "schema-required"}
    assert _snippet(hints["missing required key 'validation' in input.form"]) == validation.strip()
    group = next(m for m in hints if m.startswith("missing required key 'name'"))
    assert _snippet(hints[group]) == group_name.strip()


def test_unknown_escapes_are_read_past_at_the_files_own_columns() -> None:
    raw = b'a: 1\nb: "x\\d{4} \\w"\nc: {d: 2, e: "\\s", f: [1, 2]}\n'
    loaded = parse_bytes(raw, Path("x.yaml"), "x.yaml")
    assert [(d.code, d.line, d.column) for d in loaded.diagnostics] == [
        ("yaml-syntax", 2, 6),
        ("yaml-syntax", 2, 12),
        ("yaml-syntax", 3, 15),
    ]
    doc = loaded.document
    assert doc is not None
    assert doc.data == {"a": 1, "b": "x\\d{4} \\w", "c": {"d": 2, "e": "\\s", "f": [1, 2]}}
    assert doc.read_past == tuple(loaded.diagnostics)
    # Every node keeps the position it has in the file, after the patched backslashes too.
    assert doc.position(("c", "f", 1)) == Position(3, 27)
    assert doc.position(("c", "f"), key=True) == Position(3, 20)
    assert doc.text == raw.decode()


def test_too_many_unknown_escapes_refuse_the_file() -> None:
    raw = ('a: "' + "\\d" * (MAX_ESCAPES + 1) + '"\n').encode()
    loaded = parse_bytes(raw, Path("x.yaml"), "x.yaml")
    assert loaded.document is None
    assert [d.code for d in loaded.diagnostics] == ["yaml-syntax"]


SEED_ITEM = """\
apiVersion: catalog/v1
kind: CatalogItem
metadata:
  id: database-postgresql-seed
  name: PostgreSQL (seed)
  description: A PostgreSQL database migrated from the seed's catalog.
  version: 1.0.0
  category: databases
  owner: {team: platform-databases-team, contact: dba@company.com}
input:
  form-data:
    name: Instance Name
    type: string
    required: true
    validation: {pattern: "^[a-z][a-z0-9-]{2,28}[a-z0-9]$"}
    groups:
      - id: environment
        name: Environment
        fields:
          - id: stage
            name: Stage
            type: select
            validation: {enum: [dev, staging, prod]}
            required: true
          - id: costCenter
            name: Cost Center
            type: string
            required: true
            validation: {pattern: "^CC-\\d{4}$"}
      - id: database
        name: Database
        fields:
          - id: adminPassword
            name: Admin Password
            type: password
            required: true
fulfillment:
  strategy: {mode: manual}
  manual:
    actions:
      - type: jira-ticket
        config:
          ticket:
            project: DBA
            issueType: Task
            summaryTemplate: "PostgreSQL {{ fields.name }}"
            descriptionTemplate: "Please create {{ .current.name }}."
"""

SEED_REQUEST = """\
apiVersion: catalog/v1
kind: Request
metadata:
  id: payments-ledger-db
  requester: {email: dana.dev@company.com, name: Dana Dev, team: payments}
catalogItemId: database-postgresql-seed
input:
  name: ledger-db
  environment:
    stage: prod
    costCenter: CC-4521
  database:
    adminPassword: s3cret-Passw0rd
"""


def _seed_catalog(root: Path) -> tuple[Path, Path]:
    item = root / "catalog/databases/database-postgresql-seed.yaml"
    item.write_text(SEED_ITEM)
    request = root / "requests/payments/payments-ledger-db.yaml"
    request.parent.mkdir(parents=True, exist_ok=True)
    request.write_text(SEED_REQUEST)
    return item, request


def test_a_regex_in_double_quotes_hides_nothing_else_in_the_item(sample_root: Path) -> None:
    item, _ = _seed_catalog(sample_root)
    result = validate(Repository(sample_root), paths=[item])
    found = {(d.code, d.line, d.column) for d in result.diagnostics}
    assert ("yaml-syntax", 29, 40) in found  # the backslash, reported as before
    assert ("schema-version", 1, 1) in found
    assert ("schema-unknown-key", 11, 3) in found  # form-data
    assert ("schema-unknown-key", 23, 26) in found  # enum under validation
    assert ("template-namespace", 46, 45) in found  # {{ fields.name }}
    # Its fulfillment passed: the owners hear about the missing day-2 lists now too.
    assert [d.code for d in result.diagnostics].count("fulfillment-day-two") == 2
    assert result.errors


def test_a_request_for_an_item_with_errors_is_checked_against_its_readable_form(
    sample_root: Path,
) -> None:
    _, request = _seed_catalog(sample_root)
    result = validate(Repository(sample_root), paths=[request])
    found = {
        (d.code, d.line, d.column): d
        for d in result.diagnostics
        if d.path.endswith("payments-ledger-db.yaml")
    }
    assert ("schema-version", 1, 1) in found
    warning = found[("request-target-invalid", 6, 16)]
    assert "as far as pac could read it" in warning.message
    assert ("input-secret", 13, 20) in found  # the plain password, in the same run
    # Stage's own settings failed (enum under validation): its value is not judged.
    assert not [key for key in found if key[0] == "input-choice"]


def test_a_request_for_an_item_with_a_broken_header_is_not_checked(sample_root: Path) -> None:
    item, request = _seed_catalog(sample_root)
    item.write_text(SEED_ITEM.replace("version: 1.0.0", "version: one"))
    result = validate(Repository(sample_root), paths=[request])
    codes = [d.code for d in result.diagnostics if d.path.endswith("payments-ledger-db.yaml")]
    assert "request-target-invalid" in codes
    assert "input-secret" not in codes
