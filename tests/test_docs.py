"""Docs stay true (sqlite-utils style): every configuration key and default in docs/config.md is
the code's, every CLI flag the docs or the help texts name exists, docs/cli.md is the current
``--help`` of every command, and the README lists every command and secret.

``UPDATE_DOCS=1 pytest tests/test_docs.py`` rewrites docs/cli.md from the parser.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import re
import tomllib
from contextlib import redirect_stdout
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic.fields import FieldInfo

from alertlens.analysis.settings import MetricsSettings
from alertlens.flows import cli
from alertlens.flows.config import SECTIONS, PathSettings
from alertlens.ingest.readers.alertmanager import AlertmanagerOptions
from alertlens.ingest.readers.csv_mapped import CsvMapping, CsvOptions
from alertlens.ingest.readers.opsgenie import OpsgenieOptions
from alertlens.ingest.readers.pagerduty_exports import PagerDutyOptions
from alertlens.ingest.readers.prometheus import PrometheusOptions
from alertlens.ingest.readers.servicenow import ServiceNowOptions
from alertlens.ingest.readers.statuspage import StatuspageOptions
from alertlens.ingest.secrets import SECRET_ENVS

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DOC = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
CLI_DOC = ROOT / "docs" / "cli.md"
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: Every settings dataclass by the key prefix its fields are documented under.
SETTINGS: dict[str, type[Any]] = {
    "paths": PathSettings,
    "metrics": MetricsSettings,
    **SECTIONS,
    "sources.pagerduty": PagerDutyOptions,
    "sources.alertmanager": AlertmanagerOptions,
    "sources.servicenow": ServiceNowOptions,
    "sources.statuspage": StatuspageOptions,
    "sources.prometheus": PrometheusOptions,
    "sources.opsgenie": OpsgenieOptions,
    "sources.csv": CsvOptions,
    "sources.csv.mappings.<name>": CsvMapping,
}
#: Fields documented elsewhere: responder zones are the [responders] table itself; the csv
#: mappings are documented field by field under sources.csv.mappings.<name>.
NOT_KEYS = {("metrics", "responder_timezones"), ("sources.csv", "mappings")}
#: Documented keys that are tables of the user's own names, not fields.
USER_KEYS = {"responders.<user>"}
_ROW = re.compile(r"^\| `([a-z0-9_.<>]+)` \| ([^|]*?) \|", re.M)
_NO_DEFAULT = {"none": None, "required": dataclasses.MISSING}


def documented_defaults() -> dict[str, Any]:
    """key -> the default docs/config.md gives (parsed TOML, None, or MISSING for required)."""
    found: dict[str, Any] = {}
    for key, cell in _ROW.findall(CONFIG_DOC):
        cell = cell.strip()
        if cell in _NO_DEFAULT:
            found[key] = _NO_DEFAULT[cell]
            continue
        literal = re.fullmatch(r"`([^`]*)`", cell)
        assert literal, f"docs/config.md: default of {key} is not a `TOML value`, none or required"
        found[key] = tomllib.loads(f"v = {literal[1]}")["v"]
    return found


def code_defaults() -> dict[str, Any]:
    """key -> the default the settings dataclasses declare."""
    found: dict[str, Any] = {}
    for prefix, cls in SETTINGS.items():
        for f in dataclasses.fields(cls):
            if (prefix, f.name) in NOT_KEYS:
                continue
            default = f.default
            if isinstance(default, FieldInfo):  # pydantic's Field(default_factory=...)
                factory = default.default_factory
                default = factory() if factory is not None else default.default  # type: ignore[call-arg]
            if default is dataclasses.MISSING and f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            found[f"{prefix}.{f.name}"] = default
    return found


def _comparable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _documented_comparable(key: str, value: Any) -> Any:
    code = code_defaults().get(key)
    if isinstance(code, timedelta) and isinstance(value, str):
        import pandas as pd

        return pd.Timedelta(value).total_seconds()
    return _comparable(value)


def test_every_setting_is_documented_with_its_default() -> None:
    documented = documented_defaults()
    wrong = []
    for key, default in code_defaults().items():
        if key not in documented:
            wrong.append(f"{key}: not in docs/config.md")
        elif _comparable(default) != _documented_comparable(key, documented[key]):
            wrong.append(f"{key}: docs say {documented[key]!r}, the code {default!r}")
    assert not wrong, "\n".join(wrong)


def test_every_documented_key_exists() -> None:
    extra = sorted(set(documented_defaults()) - set(code_defaults()) - USER_KEYS)
    assert extra == []


def test_every_section_has_a_heading() -> None:
    for prefix in SETTINGS:
        table = prefix.split(".<")[0]
        assert f"[{table.split('.mappings')[0]}]" in CONFIG_DOC, table


def _commands() -> dict[str, argparse.ArgumentParser]:
    top = cli.parser()
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _help(parser: argparse.ArgumentParser) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        parser.print_help()
    return out.getvalue()


def _flags(parser: argparse.ArgumentParser) -> set[str]:
    flags = {"--help", "--config"}
    for action in parser._actions:
        flags.update(s for s in action.option_strings if s.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                flags |= _flags(child)
    return flags


def cli_reference() -> str:
    """docs/cli.md: the help of ``alertlens`` and of every command, at a fixed width."""
    os.environ["COLUMNS"] = "100"
    parts = [
        "# Command-line reference\n",
        "Generated from the parser (`UPDATE_DOCS=1 pytest tests/test_docs.py`); "
        "tests/test_docs.py fails when it falls behind.\n",
        "## alertlens\n\n```\n" + _help(cli.parser()).rstrip() + "\n```\n",
    ]
    for name, parser in _commands().items():
        text = _help(parser)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                text += "".join(
                    f"\n$ alertlens {name} {child} --help\n{_help(sub)}"
                    for child, sub in action.choices.items()
                )
        parts.append(f"## alertlens {name}\n\n```\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def test_cli_reference_is_the_current_help() -> None:
    current = cli_reference()
    if os.environ.get("UPDATE_DOCS"):
        CLI_DOC.write_text(current, encoding="utf-8")
    assert CLI_DOC.read_text(encoding="utf-8") == current, "UPDATE_DOCS=1 pytest tests/test_docs.py"


def test_help_texts_name_only_flags_that_exist() -> None:
    wrong = []
    for name, parser in _commands().items():
        for flag in set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", _help(parser))) - _flags(parser):
            wrong.append(f"alertlens {name} --help mentions {flag}")
    assert not wrong, "\n".join(wrong)


DOCS = sorted(p.relative_to(ROOT).as_posix() for p in [ROOT / "README.md", *ROOT.glob("docs/*.md")])


@pytest.mark.parametrize("doc", DOCS)
def test_documented_command_lines_use_real_flags(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    commands = _commands()
    wrong = []
    for line in re.findall(r"alertlens(?: --config \S+)? ([a-z]+)([^`\n|]*)", text):
        command, rest = line
        if command not in commands:
            continue
        for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest):
            if flag not in _flags(commands[command]):
                wrong.append(f"{doc}: alertlens {command} … {flag}")
    assert not wrong, "\n".join(wrong)


def test_readme_lists_every_command_and_secret() -> None:
    table = README[README.index("## Commands") :]
    for name in _commands():
        assert f"`alertlens {name}" in table, name
    for env in SECRET_ENVS:
        assert env in README, env
