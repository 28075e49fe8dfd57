"""The texts of each firing: host name, titles, description and template-specific labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from alertlens.synthetic import model as m
from alertlens.synthetic.catalog import TEMPLATES, Rendered, host_name, rendered
from alertlens.synthetic.simulate import Firings


@dataclass(frozen=True)
class Texts:
    """Per firing, in firing order."""

    host: list[str]
    rendered: list[Rendered]


_UNUSED: Final = Rendered("", "", "", {})


def firing_texts(world: m.World, firings: Firings, only: np.ndarray | None = None) -> Texts:
    """Host names and rendered titles of every firing of ``firings``, in firing order; with
    ``only`` (firing indices), of those firings only (the others hold empty placeholders)."""
    if only is not None:
        part = firing_texts(world, firings.take(np.asarray(only, dtype=np.int64)))
        host_list = [""] * len(firings)
        out = [_UNUSED] * len(firings)
        for k, i in enumerate(np.asarray(only).tolist()):
            host_list[i], out[i] = part.host[k], part.rendered[k]
        return Texts(host=host_list, rendered=out)
    hosts: dict[tuple[int, int], str] = {}
    host_list = []
    out = []
    rules = world.rules
    templates = [TEMPLATES[r.catalog] for r in rules]
    prefixes = [r.service.split("-")[0] for r in rules]
    for rule, host, v1, v2 in zip(
        firings.rule.tolist(),
        firings.host.tolist(),
        firings.v1.tolist(),
        firings.v2.tolist(),
        strict=True,
    ):
        name = hosts.get((rule, host))
        if name is None:
            name = hosts[(rule, host)] = host_name(templates[rule].host_style, prefixes[rule], host)
        host_list.append(name)
        out.append(rendered(templates[rule], name, rules[rule].service, v1, v2))
    return Texts(host=host_list, rendered=out)
