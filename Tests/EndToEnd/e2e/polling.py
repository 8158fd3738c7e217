"""Waiting for a condition with a deadline, instead of sleeping for a guessed time."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Short enough not to slow the tests down, long enough not to hammer Home Assistant.
POLL_INTERVAL = 0.2


class ConditionNotMet(AssertionError):
    """Raised when a condition did not hold before its deadline; says what was seen last."""


class GiveUp(Exception):
    """Raised by an observation that can tell the condition will never hold (say, the server died)."""


def wait_until(
    observe: Callable[[], T],
    satisfied: Callable[[T], bool],
    *,
    timeout: float,
    what: str,
) -> T:
    """Calls `observe` until `satisfied` holds for its result, and returns that result.

    On timeout, raises ConditionNotMet naming `what` and showing the last observation, which is
    usually all one needs to see why. An exception raised by `observe` counts as "not yet" (the
    server may still be starting) and is reported if it is the last thing seen; GiveUp ends the
    wait at once.
    """
    deadline = time.monotonic() + timeout
    last: object = "nothing observed"
    while True:
        try:
            value = observe()
            if satisfied(value):
                return value
            last = value
        except GiveUp:
            raise
        except Exception as error:  # noqa: BLE001 - reported below if it persists
            last = error
        if time.monotonic() >= deadline:
            raise ConditionNotMet(f"timed out after {timeout:g} s waiting for {what}; last seen: {last!r}")
        time.sleep(POLL_INTERVAL)
