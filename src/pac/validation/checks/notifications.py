"""pac.yaml's `notifications:`: channels that are secret references, routes that name them."""

from __future__ import annotations

from pac.documents.notifications import Notifications
from pac.validation.checks import Findings


def check_notifications(notifications: Notifications, findings: Findings) -> None:
    """A plain channel URL (it carries the channel's token into git) and a route naming a
    channel pac.yaml does not define; unknown event kinds are the schema's to report."""
    for name, channel in notifications.channels.items():
        if channel.plain:
            findings.add(
                ("notifications", "channels", name, "url"),
                "notify-url-plain",
                f"the notification channel {name} has its URL written in pac.yaml; channel "
                "URLs carry tokens (Slack and Teams webhooks, SMTP passwords), so anyone "
                "reading the repository could post as pac",
                f"Store the URL as a CI secret, e.g. PAC_SECRET_NOTIFY_{_upper(name)}, write "
                f"`url: {{secretRef: NOTIFY_{_upper(name)}}}`, and revoke the URL that was "
                "committed.",
            )
    for index, route in enumerate(notifications.routes):
        for cindex, name in enumerate(route.channels):
            if name not in notifications.channels:
                known = ", ".join(sorted(notifications.channels)) or "none are defined"
                findings.add(
                    ("notifications", "routes", index, "channels", cindex),
                    "notify-route-unknown",
                    f"the notification route names the channel {name}, which "
                    "notifications.channels does not define, so nothing would be sent there",
                    f"Name a channel defined under notifications.channels ({known}), or "
                    f"define {name} there.",
                )


def _upper(name: str) -> str:
    return name.upper().replace("-", "_")
