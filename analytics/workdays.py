"""China's official working days: weekends, public holidays and 调休 (weekend days that
are worked), from the `chinese-calendar` package. For a year it has no data for yet
(the State Council publishes each year's holidays in the November before), Monday to
Friday count, and a later release of the package corrects that."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (start itself not counted)."""
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day
