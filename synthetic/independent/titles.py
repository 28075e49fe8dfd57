"""Titles: human titles with variable tokens, static titles, anonymised 40-hex names."""

from __future__ import annotations

import zlib

import numpy as np

from alertlens.synthetic.independent import catalog as c
from alertlens.synthetic.independent import model as m

VALUE_TOKENS = ("pct", "ms", "sec", "num", "num2", "rate", "dur", "size", "days")


def _static_tokens(rule: m.Rule) -> dict[str, str]:
    if "static_tokens" not in rule.params:
        rng = np.random.default_rng(zlib.crc32(rule.name.encode()))
        ctx = {"svc": rule.service.name}
        toks = {}
        for tok in c.token_names(rule.check.summary):
            toks[tok] = rule.fixed_tokens.get(tok) or c.token_value(
                tok, rng, ctx, rule.service.hosts
            )
        rule.params["static_tokens"] = toks
    return dict(rule.params["static_tokens"])


def title(f: m.Firing, rerender: np.random.Generator | None = None) -> str:
    """The firing's title; ``rerender`` re-draws its measured values (Alertmanager re-renders
    annotations on every evaluation, so a resolved notification can say another number)."""
    if rerender is None and "title" in f.extra:
        return str(f.extra["title"])
    r = f.rule
    style = r.title_style
    if style == "hashed":
        h = r.fixed_tokens["__hash"]
        text = (
            h
            if int(h[0], 16) < 10
            else f"{h} {f.tokens.get('host') or f.tokens.get('pod') or ''}".strip()
        )
    else:
        toks = dict(f.tokens)
        if style == "static":
            toks = dict(_static_tokens(r))
        elif rerender is not None:
            ctx = {"svc": r.service.name}
            for k in VALUE_TOKENS:
                if k in toks:
                    toks[k] = c.token_value(k, rerender, ctx, r.service.hosts)
        text = r.check.summary.format(**toks)
    if rerender is None:
        f.extra["title"] = text
    return text
