"""alertlens: which alerts are noise, how fast an on-call organisation responds, and whether it
is getting better. The public Python API (docs/api.md)."""

from __future__ import annotations

__all__: list[str] = []
