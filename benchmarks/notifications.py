"""Notifications under kills: messages received per event against events recorded.

Builds the sample catalog on a bare git remote with a webhook channel and an email channel
(a real SMTP server) on 127.0.0.1, then, round after round, adds requests, starts
`pac apply --commit` in a fresh clone, SIGKILLs it at a random instant while it sends and
records, and lets a run in another fresh clone finish. Prints:
- kills made;
- events x routed channels recorded in the statuses, and messages delivered for them;
- lost messages (target 0) and repeated ones (only a kill between a send and its
  record can repeat one; the event id in every message lets a receiver drop it).

Usage: python benchmarks/notifications.py [--rounds 12] [--per-round 3] [--seed 14]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--per-round", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()

    from tests.acceptance.test_notifications import HOOK_TOKEN, Hook, kill_while_sending, seed
    from tests.fakes.rest import FakeRestTarget, platform_api
    from tests.fakes.smtp import FakeSmtp

    with tempfile.TemporaryDirectory() as folder, platform_api(FakeRestTarget()) as platform:
        hook, smtp = Hook().start(), FakeSmtp().start()
        try:
            url = f"{hook.url.replace('http://', 'json://')}/{HOOK_TOKEN}?rto=1"
            world = seed(Path(folder), platform, url, smtp.url(to="nobody@company.com"))
            world.hook, world.smtp = hook, smtp
            figures = kill_while_sending(world, args.rounds, args.per_round, args.seed)
        finally:
            hook.stop()
            smtp.stop()
    print(f"kills: {figures.kills}")
    print(f"events x routed channels recorded: {figures.events}")
    print(f"messages delivered for them: {figures.events - figures.missing}")
    print(f"lost (target 0): {figures.missing}")
    print(f"repeated (kill between a send and its record): {figures.duplicates}")


if __name__ == "__main__":
    main()
