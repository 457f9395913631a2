"""Notifications (SPEC §6.7): each recorded event of a request sent once to each channel
pac.yaml routes it to, through apprise; `tell` runs at the end of `pac apply`."""

from pac.fulfilment.notify.dispatch import Told, tell

__all__ = ["Told", "tell"]
