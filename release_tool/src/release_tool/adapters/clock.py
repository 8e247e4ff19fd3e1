"""The clock port: today's date, reproducible under ``SOURCE_DATE_EPOCH``."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True)
class SystemClock:
    """Today in UTC, or the day of ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""

    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    def today(self) -> dt.date:
        epoch = self.environ.get("SOURCE_DATE_EPOCH", "").strip()
        when = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
        return when.date()


@dataclass(frozen=True)
class FixedClock:
    """Always the same day (tests, and replaying a journal)."""

    day: dt.date

    def today(self) -> dt.date:
        return self.day
