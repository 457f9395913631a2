"""Every rule code pac can report, with its default severity and a one-line summary.

Codes are stable: CI configurations, SARIF uploads and people's memories depend on them.
Add new codes; never rename or reuse one. `docs/rules.md` explains each with a failing and
a fixed example, and the test suite proves every code has a failing fixture.
"""

from __future__ import annotations

from dataclasses import dataclass

from pac.diagnostics import Severity

E = Severity.ERROR
W = Severity.WARNING


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: Severity
    summary: str


_RULES = [
    # reading files
    Rule("entry-unreadable", E, "a catalog or request entry is a FIFO, socket or outside link"),
    Rule("yaml-too-large", E, "the file is larger, or nests deeper, than a document may"),
    Rule("yaml-encoding", E, "the file is not UTF-8"),
    Rule("yaml-syntax", E, "the file is not valid YAML"),
    Rule("yaml-tab", E, "a tab is used for indentation"),
    Rule("yaml-empty", E, "the file holds no document"),
    Rule("yaml-multiple-documents", E, "the file holds more than one document"),
    Rule("yaml-not-mapping", E, "the document is not a mapping"),
    Rule("yaml-duplicate-key", E, "a key appears twice in one mapping"),
    Rule("yaml-key-type", E, "a key is not a plain string"),
    Rule("yaml-tag", E, "an explicit YAML tag is used"),
    Rule("yaml-alias-limit", E, "aliases expand beyond the limit, or refer to themselves"),
    Rule("yaml-ambiguous-value", W, "an unquoted yes/no, 012, 1_000 or 12:30: YAML 1.1 differs"),
    # document header and structure
    Rule("schema-version", E, "schemaVersion is missing or not supported"),
    Rule("schema-kind", E, "kind is missing or unknown"),
    Rule("schema-required", E, "a required key is missing"),
    Rule("schema-unknown-key", E, "a key the schema does not define"),
    Rule("schema-type", E, "a value has the wrong type"),
    Rule("schema-value", E, "a value is not one of the allowed values"),
    Rule("schema-pattern", E, "a value does not match the required pattern"),
    Rule("schema-format", E, "a version, email or handle is malformed"),
    Rule("schema-length", E, "a text is too short or too long"),
    Rule("schema-range", E, "a number or list size is out of range"),
    Rule("schema-duplicate", E, "a list repeats a value"),
    Rule("schema-invalid", E, "the document does not match its schema"),
    Rule("schema-change-breaks", E, "a change under schema/ makes an existing document invalid"),
    # naming and placement
    Rule("naming-kebab-case", E, "an id is not kebab-case"),
    Rule("naming-camel-case", E, "a key or group/field/component id is not camelCase"),
    Rule("naming-jira-project", E, "a JIRA project key is not upper case"),
    Rule(
        "naming-id-prefix", E, "an item or bundle id does not follow <prefix>-<service>-<variant>"
    ),
    Rule("naming-title-case", W, "a display name is not in title case"),
    Rule("file-name", E, "the file name is not <id>.yaml"),
    Rule("file-location", E, "the document is in the wrong folder"),
    Rule(
        "document-outside-catalog",
        E,
        "a YAML file with a pac kind lies outside the folders pac reads",
    ),
    Rule("duplicate-id", E, "two documents share an id"),
    # categories and ownership
    Rule("categories-missing", E, "catalog/categories.yaml does not exist"),
    Rule("categories-duplicate", E, "two categories share an id or id prefix"),
    Rule("categories-bundles", E, "the registry has no `bundles` entry"),
    Rule("category-unknown", E, "a folder or an item's category is not registered"),
    Rule("category-mismatch", E, "an item's category differs from its folder"),
    Rule("owner-mismatch", E, "the owner team differs from the category's team"),
    Rule("codeowners-missing", E, "CODEOWNERS does not exist"),
    Rule("codeowners-outdated", E, "CODEOWNERS differs from what the registry generates"),
    Rule("codeowners-unowned", E, "a catalog folder has no owner in CODEOWNERS"),
    # forms
    Rule("form-name-field", E, "the reserved top-level name field is not as required"),
    Rule("form-duplicate-id", E, "a group id or field id is used twice"),
    Rule("form-reserved-name", E, "a group-level field is called `name`"),
    Rule("form-validation-key", E, "a validation key does not apply to the field type"),
    Rule("form-enum", E, "select/multiselect without enum, or enum on another type"),
    Rule("form-default", E, "a default or enum member does not satisfy the field"),
    Rule(
        "form-range",
        E,
        "a minimum is above its maximum, or a pattern is not an ECMA-262 regular expression",
    ),
    Rule(
        "form-pattern-backtracking",
        E,
        "a pattern can backtrack catastrophically (ReDoS), like (a+)+ or (a|a)*",
    ),
    Rule("form-default-template", E, "a field default contains template syntax, never rendered"),
    Rule("form-pattern-unanchored", W, "a pattern without ^ and $ accepts values containing it"),
    Rule("form-text-unbounded", W, "a text field without maxLength takes up to the 64 KiB cap"),
    Rule("form-text-over-cap", W, "a maxLength above the 65,536-character cap on any text"),
    Rule("form-pattern-control", E, "a pattern holds a control character (a YAML escape like \\b)"),
    # fulfilment
    Rule("fulfillment-automatic", E, "mode is automatic but there are no automatic actions"),
    Rule("action-unsupported", W, "an action pac apply does not run, or automation in manual"),
    Rule("action-description", E, "a ticket has both or a missing description template file"),
    Rule("action-priority", E, "a ticket priority is not Critical, High, Medium or Low"),
    Rule("summary-too-long", E, "a ticket summary template's own text is over 255 characters"),
    Rule("rest-credentials-plain-http", E, "a REST action sends credentials to an http:// URL"),
    # git-commit and github-workflow actions
    Rule("git-path", E, "a git-commit file path can leave the repository for some input"),
    Rule("git-content", E, "a .json/.yaml file template renders invalid JSON/YAML for some input"),
    Rule("workflow-dispatch-input", E, "dispatchIdInput names an input the action also sets"),
    Rule("starter-placeholder", E, "a starter document still holds its template's TODOs"),
    Rule("metadata-template", W, "a metadata value contains template syntax, never rendered"),
    # bundles
    Rule("bundle-duplicate-component", E, "two components share an id"),
    Rule("bundle-unknown-item", E, "a component names a catalog item that does not exist"),
    Rule("bundle-unknown-dependency", E, "dependsOn names a component that does not exist"),
    Rule("bundle-cycle", E, "components depend on each other in a cycle"),
    Rule("link-type-unknown", E, "jiraLinking.linkType is not a link type pac.yaml declares"),
    Rule("bundle-parent-ticket", E, "jiraLinking.parentTicket is set, but pac makes no parent"),
    # requests
    Rule("request-target", E, "a request names both or neither of catalogItemId and bundleId"),
    Rule("request-unknown-target", E, "the requested item or bundle does not exist"),
    Rule("request-target-invalid", W, "the requested offering has errors; input checked partly"),
    Rule("input-required", E, "a required field is missing"),
    Rule("input-unknown-field", E, "a field the form does not have"),
    Rule("input-type", E, "a value has the wrong type for its field"),
    Rule("input-choice", E, "a value is not one of the field's choices"),
    Rule("input-format", E, "a value does not have the field's form (pattern, email, date)"),
    Rule("input-range", E, "a value is out of the field's range or length"),
    Rule("input-secret", E, "a password field holds a value instead of a secretRef"),
    Rule("input-file", E, "a file field names a missing, wrong or too large file"),
    # templates
    Rule("template-syntax", E, "a template does not parse"),
    Rule(
        "template-namespace",
        E,
        "a variable uses an unknown namespace, or .response outside outputs",
    ),
    Rule("template-current", E, "a .current or .previous path is not in the form that supplies it"),
    Rule("template-metadata", E, "a .metadata id is not in scope, or the key does not exist"),
    Rule("template-system", E, "a .system value that does not exist"),
    Rule("template-output", E, "an .output key is used before an earlier action produces it"),
    Rule("template-output-shadow", W, "an output key replaces an earlier action's"),
    Rule("template-unsafe", E, "a template reaches for Python internals or other templates"),
    Rule("template-summary", E, "a ticket summary template's own text spans several lines"),
    # day 2: update and decommission actions, and changes to fulfilled requests (SPEC §6.6)
    Rule("template-previous", E, "a create action reads .previous, which only day-2 actions have"),
    Rule("fulfillment-day-two", W, "an item's strategy has no update or no decommission actions"),
    Rule(
        "change-immutable", E, "a fulfilled request changes its name, target or an immutable field"
    ),
    Rule("change-no-update", E, "a changed or upgraded request's item has no update actions"),
    Rule("change-unfinished", E, "a request changes while its current revision has not finished"),
    Rule("change-with-decommission", E, "a request is decommissioned and changed at once"),
    Rule(
        "decommission-no-actions", E, "a decommissioned request's item has no decommission actions"
    ),
    Rule(
        "upgrade-unknown-version", E, "operations.upgrade names a version the catalog does not have"
    ),
    Rule("request-deleted", E, "the file of a request that is not decommissioned is deleted"),
    Rule("request-id-reused", E, "a request file reuses the id of a decommissioned request"),
    Rule(
        "status-unreadable",
        E,
        "a request's status file cannot be read, so its change cannot be checked",
    ),
    # versions (pac validate --changed BASE)
    Rule(
        "version-breaking-change",
        E,
        "a form change that can break existing requests without a major version",
    ),
    Rule("version-bump-minor", W, "a form addition without a minor version"),
    Rule("version-unchanged", W, "a changed item or bundle keeps its version"),
    Rule("version-lowered", E, "an item's or bundle's version went down"),
    # pac.yaml
    Rule("config-invalid", E, "pac.yaml has a setting that cannot work"),
    Rule("notify-url-plain", E, "a notification channel's URL is written in pac.yaml"),
    Rule("notify-route-unknown", E, "a notification route names a channel that is not defined"),
]

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
