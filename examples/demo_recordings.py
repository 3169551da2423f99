"""Write a few demo recordings as ingestion JSONL, dated relative to now.

Used by `make run` so that "delete what I said today" has something to delete.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta

PHRASES = [
    (timedelta(minutes=20), "what's the weather tomorrow"),
    (timedelta(hours=2), "set a timer for ten minutes"),
    (timedelta(days=1, hours=3), "play some jazz"),
    (timedelta(days=2, hours=5), "add milk to my shopping list"),
    (timedelta(days=9), "call mom"),
    (timedelta(days=40), "how tall is mount everest"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--user", default="amzn1.ask.account.DEMO")
    args = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)
    for ago, text in PHRASES:
        print(json.dumps({
            "user_id": args.user,
            "recorded_at": (now - ago).isoformat(),
            "transcript": text,
            "device_id": "amzn1.ask.device.DEMO",
        }))


if __name__ == "__main__":
    main()
