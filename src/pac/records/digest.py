"""The digest a status keeps of what a request asked for (`inputDigest`): its target and its
input as written, so any edit of either is seen — by apply, and by validate for statuses
written before revisions recorded the input itself."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def ask_digest(target_id: str, values: Mapping[str, Any]) -> str:
    """Identifies what was asked: the target and the input (not metadata or operations)."""
    payload = json.dumps({"target": target_id, "input": values}, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(payload.encode()).hexdigest()[:32]
