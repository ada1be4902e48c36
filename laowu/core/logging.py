"""Log hygiene (SECURITY.md item 16): no ID numbers, no newlines from user input."""

from __future__ import annotations

import logging
import re

# 18-digit resident ID (last char may be X) or 15-digit old ID, or 16-19 digit bank cards; not a
# run of digits inside a longer word such as a hex digest (a file's SHA-256 in an audit row).
_LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z])([0-9]{6})[0-9]{5,9}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")


def scrub(text: str) -> str:
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return _LONG_NUMBER.sub(lambda m: m.group(1) + "********" + m.group(2), text)


class ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # pragma: no cover - a broken format string is logged as is
            return True
        record.msg = scrub(message)
        record.args = None
        return True
