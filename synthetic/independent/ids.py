"""Vendor-shaped ids drawn from the world's own random stream (so a seed fixes them)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Ids:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self.seen:
                self.seen.add(value)
                return value

    def pd(self, prefix: str = "P", length: int = 7) -> str:
        """A PagerDuty object id: ``P`` + 6 base-36 characters (incidents, services, users)."""
        return self._unique(
            lambda: prefix + "".join(_B36[i] for i in self.rng.integers(0, 36, size=length - 1))
        )

    def pd_long(self, prefix: str) -> str:
        """A 14-character PagerDuty id (alerts ``Q…``, log entries ``R…``)."""
        return self.pd(prefix, 14)

    def uuid(self) -> str:
        """A random (version 4) UUID."""

        def make() -> str:
            b = bytearray(int(x) for x in self.rng.integers(0, 256, size=16))
            b[6] = (b[6] & 0x0F) | 0x40
            b[8] = (b[8] & 0x3F) | 0x80
            h = b.hex()
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

        return self._unique(make)

    def hex(self, n: int) -> str:
        return "".join("0123456789abcdef"[i] for i in self.rng.integers(0, 16, size=n))
