"""`pac validate` on the pull request of a day-2 change (SPEC §6.6), on a real git repository.

Each test starts from a catalog whose requests `pac apply` has fulfilled (their statuses
written with the records API and committed, as apply commits them), then commits the
developer's change and runs `pac validate --changed HEAD~1` and `pac validate <file>` as CI
and a laptop would: the refusal stands at the changed line, with exit code 1.
"""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest

from pac.records.states import RequestState
from tests.conftest import git_commit_all, invoke, pac
from tests.day_two import BUNDLE_REQUEST, REQUEST, day_two_catalog, edit, write_item, write_status

pytestmark = pytest.mark.slow

STATUS = "requests/.status/shop-cache.yaml"


@pytest.fixture
def fulfilled(sample_git: Path) -> Path:
    """The day-2 catalog with both requests completed, committed on main."""
    day_two_catalog(sample_git)
    write_item(sample_git, update=True)
    write_status(sample_git, "shop-cache")
    write_status(sample_git, "shop-caches")
    git_commit_all(sample_git, "shop-cache and shop-caches fulfilled")
    return sample_git


def _commit(root: Path, message: str) -> None:
    git_commit_all(root, message)


def _lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if not line.startswith("    hint:")]


def test_a_change_refused_on_the_pull_request_and_on_the_file_alone(fulfilled: Path) -> None:
    edit(fulfilled, REQUEST, "  name: shop-cache", "  name: shop-cache-eu")
    _commit(fulfilled, "rename the cache")
    done = pac("validate", "--changed", "HEAD~1", cwd=fulfilled)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    expected = (
        "requests/shop/shop-cache.yaml:8:9: error[change-immutable] the name cannot change "
        "once the request is fulfilled (it was fulfilled as 'shop-cache')"
    )
    assert expected in _lines(done.stdout)
    assert "Ask: platform-databases-team (dba@company.com)." in done.stdout
    code, out = invoke(fulfilled, "validate", REQUEST)
    assert code == 1 and expected in _lines(out)


def test_findings_reach_the_pull_request_lines_in_every_format(fulfilled: Path) -> None:
    edit(fulfilled, REQUEST, "engine: redis", "engine: valkey")
    _commit(fulfilled, "another engine")
    code, out = invoke(fulfilled, "validate", "--changed", "HEAD~1", "--format", "github")
    assert code == 1
    assert out.startswith(
        "::error file=requests/shop/shop-cache.yaml,line=10,col=13,title=pac change-immutable::"
    )
    code, out = invoke(fulfilled, "validate", "--changed", "HEAD~1", "--format", "json")
    [finding] = json.loads(out)
    assert (finding["code"], finding["line"], finding["column"]) == ("change-immutable", 10, 13)
    code, out = invoke(fulfilled, "validate", "--changed", "HEAD~1", "--format", "sarif")
    [result] = json.loads(out)["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (result["ruleId"], region["startLine"], region["startColumn"]) == (
        "change-immutable",
        10,
        13,
    )


def test_a_change_to_a_bundle_only_its_readers_must_update(fulfilled: Path) -> None:
    edit(fulfilled, BUNDLE_REQUEST, "nodeType: small", "nodeType: large")
    _commit(fulfilled, "bigger redis")
    code, out = invoke(fulfilled, "validate", "--changed", "HEAD~1")
    assert code == 0, out  # read by the Redis component, which has update actions
    edit(fulfilled, BUNDLE_REQUEST, "memory: small", "memory: large")
    _commit(fulfilled, "bigger memcache")
    code, out = invoke(fulfilled, "validate", "--changed", "HEAD~1")
    assert code == 1
    assert _lines(out)[0] == (
        "requests/shop/shop-caches.yaml:12:13: error[change-no-update] cache.memory is read "
        "by memcache (database-memcache-standard), which has no update actions"
    )


def test_a_change_while_the_create_failed_is_refused(fulfilled: Path) -> None:
    write_status(fulfilled, "shop-cache", RequestState.FAILED)
    _commit(fulfilled, "status: failed")
    edit(fulfilled, REQUEST, "nodeType: small", "nodeType: large")
    _commit(fulfilled, "bigger cache")
    code, out = invoke(fulfilled, "validate", "--changed", "HEAD~1")
    assert code == 1
    assert _lines(out)[0].startswith(
        "requests/shop/shop-cache.yaml:11:15: error[change-unfinished] shop-cache is failed"
    )
    assert "raise operations.retry" in out


def test_deleting_a_fulfilled_request_file_is_refused_at_its_path(fulfilled: Path) -> None:
    git.Repo(fulfilled).index.remove([REQUEST], working_tree=True)
    _commit(fulfilled, "remove shop-cache")
    done = pac("validate", "--changed", "HEAD~1", cwd=fulfilled)
    assert done.returncode == 1, done.stdout + done.stderr
    assert _lines(done.stdout)[0] == (
        "requests/shop/shop-cache.yaml:1:1: error[request-deleted] requests/shop/shop-cache.yaml "
        "is deleted, but its request shop-cache is completed: what it made would live on, and "
        "nothing would retire it"
    )
    assert "add `decommission: {reason: …}`" in done.stdout


def test_deleting_the_status_too_does_not_hide_the_request(fulfilled: Path) -> None:
    git.Repo(fulfilled).index.remove([REQUEST, STATUS], working_tree=True)
    _commit(fulfilled, "remove shop-cache and its status")
    code, out = invoke(fulfilled, "validate", "--changed", "HEAD~1")
    assert code == 1
    assert "error[request-deleted]" in out


def test_a_decommissioned_request_file_may_go_and_a_moved_one_is_no_deletion(
    fulfilled: Path,
) -> None:
    repo = git.Repo(fulfilled)
    (fulfilled / "requests/platform").mkdir()
    repo.git.mv(BUNDLE_REQUEST, "requests/platform/shop-caches.yaml")
    write_status(fulfilled, "shop-cache", RequestState.DECOMMISSIONED)
    _commit(fulfilled, "shop-cache decommissioned")
    repo.index.remove([REQUEST], working_tree=True)
    _commit(fulfilled, "remove shop-cache, move shop-caches")
    code, out = invoke(fulfilled, "validate", "--changed", "HEAD~2")
    assert code == 0, out


def test_reusing_a_decommissioned_id_is_refused(fulfilled: Path) -> None:
    write_status(fulfilled, "shop-cache", RequestState.DECOMMISSIONED)
    _commit(fulfilled, "shop-cache decommissioned")
    code, out = invoke(fulfilled, "validate", REQUEST)
    assert code == 1
    assert _lines(out)[0].startswith(
        "requests/shop/shop-cache.yaml:4:7: error[request-id-reused] shop-cache was decommissioned"
    )


def test_a_bad_status_is_a_finding_and_never_a_traceback(fulfilled: Path) -> None:
    (fulfilled / STATUS).write_text("request: shop-cache\nstate: [completed\n")
    _commit(fulfilled, "a hand-edited status")
    edit(fulfilled, REQUEST, "nodeType: small", "nodeType: large")
    done = pac("validate", REQUEST, cwd=fulfilled)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert _lines(done.stdout)[0].startswith(
        "requests/shop/shop-cache.yaml:4:7: error[status-unreadable] the status of shop-cache "
        "cannot be read"
    )
    (fulfilled / STATUS).write_text("- not a status\n")
    code, out = invoke(fulfilled, "validate", REQUEST)
    assert code == 1 and "not a pac status file" in out
    (fulfilled / REQUEST).unlink()  # not committed: --changed sees the working tree too
    code, out = invoke(fulfilled, "validate", "--changed", "HEAD")
    assert code == 1
    assert "requests/shop/shop-cache.yaml:1:1: error[status-unreadable]" in out


def test_an_upgrade_to_a_version_the_catalog_lacks_and_a_decommission_with_a_change(
    fulfilled: Path,
) -> None:
    edit(fulfilled, REQUEST, "catalogItemId:", "operations: {upgrade: 2.0.0}\ncatalogItemId:")
    code, out = invoke(fulfilled, "validate", REQUEST)
    assert code == 1
    assert _lines(out)[0].startswith(
        "requests/shop/shop-cache.yaml:6:23: error[upgrade-unknown-version]"
    )
    edit(fulfilled, REQUEST, "operations: {upgrade: 2.0.0}\n", "")
    edit(fulfilled, REQUEST, "nodeType: small", "nodeType: large")
    path = fulfilled / REQUEST
    path.write_text(path.read_text() + "decommission: {reason: moved to the shared cache}\n")
    code, out = invoke(fulfilled, "validate", REQUEST)
    assert code == 1
    codes = [line.split("[")[1].split("]")[0] for line in _lines(out)[:-1]]
    assert codes == ["change-with-decommission", "decommission-no-actions"]
