"""Change freezes (SPEC §7): which freeze holds a request today, and holding it.

`policy.decide` says whether a request waits; this module finds the freeze, records the
wait in the request's status, and notes a request that goes through one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os

from pac.documents.config import FreezeWindow
from pac.documents.model import Bundle, Offering, Priority, Request
from pac.documents.repository import Repository
from pac.errors import PacError, UsageError
from pac.fulfilment.revision import sync_tasks
from pac.fulfilment.tasks import expand
from pac.records.states import RequestState
from pac.records.status import RequestStatus
from pac.records.store import StatusStore


def touched_categories(repo: Repository, offering: Offering) -> list[str]:
    """The categories a request for `offering` touches: a bundle's and its components'."""
    categories = [offering.category]
    if isinstance(offering, Bundle):
        for component in offering.components:
            item = repo.item(component.catalog_item)
            if item is not None:
                categories.append(item.category)
    return categories


def freeze_window(repo: Repository, offering: Offering, today: dt.date) -> FreezeWindow | None:
    """The change freeze covering any category the request touches today, if any."""
    for category in touched_categories(repo, offering):
        window = repo.config.freeze_for(category, today)
        if window is not None:
            return window
    return None


def today_in(timezone: str) -> dt.date:
    """Today in the change calendar's time zone; `PAC_TODAY` rehearses another day."""
    override = os.environ.get("PAC_TODAY")
    if override:
        try:
            return dt.date.fromisoformat(override.strip())
        except ValueError:
            raise UsageError(
                f"PAC_TODAY={override!r} is not a date",
                "Set PAC_TODAY to a day written YYYY-MM-DD (such as 2026-12-24) to rehearse "
                "that day's change freezes, or unset it to use today.",
            ) from None
    try:
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo(timezone)).date()
    except (KeyError, ValueError, ModuleNotFoundError):
        return dt.datetime.now(dt.UTC).date()


def defer(
    repo: Repository,
    store: StatusStore,
    status: RequestStatus,
    request: Request,
    offering: Offering,
    window: FreezeWindow,
    today: dt.date,
) -> tuple[RequestState, str]:
    """Hold the request until `window` ends: its state now, and the run's summary of it."""
    until = window.ends_on(today).isoformat()
    # A failed request whose retry or escalation waits stays failed, so the retry
    # (not a fresh start) runs on the first run after the freeze.
    waiting = status.state is RequestState.FAILED
    if not status.tasks and not status.revision:
        # A later revision lists its own tasks when it runs. A broken bundle shows its
        # tasks at the run that fulfils it instead.
        with contextlib.suppress(PacError):
            sync_tasks(status, expand(repo, offering))
    held = retry_held(request, window.name, until)
    if status.deferred_until != until or not (waiting or status.state is RequestState.DEFERRED):
        status.become(RequestState.FAILED if waiting else RequestState.DEFERRED)
        status.deferred_window, status.deferred_until = window.name, until
        status.note(
            held if waiting else f"deferred by the change freeze {window.name!r} until {until}"
        )
        store.save(status)
    summary = (
        f"failed; {held}" if waiting else f"deferred: change freeze {window.name!r} until {until}"
    )
    return status.state, summary


def retry_held(request: Request, window: str, until: str) -> str:
    """How a retry or escalation a freeze holds is worded: in `pac plan`, in `pac apply`'s
    line and in the status, the same words (one decision, SPEC §6.4)."""
    what = "escalation" if request.operations.escalate else "retry"
    return f"the {what} waits for the change freeze {window!r} until {until}"


# In the status history of an emergency request that went through a freeze; `pac status`
# finds the note by it.
PASSED_FREEZE = "passed the change freeze"


def pass_freeze(status: RequestStatus, request: Request, window: FreezeWindow) -> str:
    """Note in the status why a request goes through `window`; the line for the run's log."""
    if request.priority is Priority.EMERGENCY:
        # A retry or escalation made an emergency after the request was first seen: the
        # status (what `pac status` and `pac report` go by) says so from now on.
        status.priority = request.priority
        status.note(f"emergency request: {PASSED_FREEZE} {window.name!r}")
        return f"emergency: passing the change freeze {window.name!r}"
    status.note(f"finishing a run begun before the change freeze {window.name!r}")
    return f"finishing a run begun before the change freeze {window.name!r}"
