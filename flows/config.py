"""``alertlens.toml``: the one configuration file. Every key is optional; docs/config.md lists
each with its default. Environment variables override paths; CLI flags override both. Secrets
never live here: they come only from the environment."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_FILE = "alertlens.toml"
ENV_CONFIG = "ALERTLENS_CONFIG"
ENV_LAKE = "ALERTLENS_LAKE"
ENV_INBOX = "ALERTLENS_INBOX"
ENV_REPORTS = "ALERTLENS_REPORTS"


class ConfigError(Exception):
    """The configuration file is unreadable or has a bad value."""


@dataclass(frozen=True)
class Config:
    """The parsed configuration. Sections other than [paths] are handed to their owners as
    mappings; each owner turns its section into a typed settings object with defaults."""

    path: Path | None = None
    lake: Path = Path("data/lake")
    inbox: Path = Path("data/inbox")
    reports: Path = Path("data/reports")
    sections: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        """The ``[name]`` table, or an empty one."""
        value = self.sections.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.path}: [{name}] must be a table")
        return value

    def source_options(self, source: str) -> dict[str, Any]:
        """The ``[sources.<source>]`` table, or an empty one."""
        sources = self.section("sources")
        value = sources.get(source, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.path}: [sources.{source}] must be a table")
        return value


def load_config(path: Path | None = None, *, env: dict[str, str] | None = None) -> Config:
    """The configuration from ``path``, else ``$ALERTLENS_CONFIG``, else ``./alertlens.toml`` if it
    exists, else defaults; then ``ALERTLENS_LAKE``/``_INBOX``/``_REPORTS`` override the paths."""
    env = dict(os.environ) if env is None else env
    candidate = path or (Path(env[ENV_CONFIG]) if env.get(ENV_CONFIG) else None)
    if candidate is None and Path(CONFIG_FILE).is_file():
        candidate = Path(CONFIG_FILE)
    data: dict[str, Any] = {}
    if candidate is not None:
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except FileNotFoundError as err:
            raise ConfigError(f"{candidate}: no such configuration file") from err
        except IsADirectoryError as err:
            raise ConfigError(f"{candidate}: is a folder, not a configuration file") from err
        except OSError as err:
            raise ConfigError(f"{candidate}: cannot read ({err.strerror})") from err
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise ConfigError(f"{candidate}: not valid TOML ({err})") from err
    paths = data.get("paths", {})
    return Config(
        path=candidate,
        lake=Path(env.get(ENV_LAKE) or paths.get("lake", "data/lake")),
        inbox=Path(env.get(ENV_INBOX) or paths.get("inbox", "data/inbox")),
        reports=Path(env.get(ENV_REPORTS) or paths.get("reports", "data/reports")),
        sections={k: v for k, v in data.items() if k != "paths"},
    )
