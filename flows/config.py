"""``alertlens.toml``: the one configuration file. Every key is optional; docs/config.md lists
each with its default. Environment variables override paths; CLI flags override both. Secrets
never live here: they come only from the environment.

The whole file is validated when it is loaded, section by section, by the settings dataclass
each layer declares (``ingest.settings_table``): a bad key or value anywhere is one
``ConfigError`` naming the file, the key, the value and what is allowed, before any work starts.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Final

from pydantic import AfterValidator, Field, model_validator

from alertlens.analysis.noise.thresholds import NoiseThresholds
from alertlens.analysis.settings import MetricsSettings, metrics_settings
from alertlens.ingest.pull.http import PullSettings
from alertlens.ingest.readers import checked_options
from alertlens.ingest.receiver import ReceiverSettings
from alertlens.ingest.settings_table import (
    Names,
    NonNegativeInt,
    Positive,
    PositiveInt,
    SettingsError,
    TimeZone,
    settings_dataclass,
    settings_from_table,
)
from alertlens.reports.settings import ReportSettings
from alertlens.synthetic.settings import GeneratorSettings

CONFIG_FILE = "alertlens.toml"
ENV_CONFIG = "ALERTLENS_CONFIG"
ENV_LAKE = "ALERTLENS_LAKE"
ENV_INBOX = "ALERTLENS_INBOX"
ENV_REPORTS = "ALERTLENS_REPORTS"
PULLABLE: Final = ("pagerduty", "opsgenie", "prometheus")


class ConfigError(Exception):
    """The configuration file is unreadable or has a bad value."""


@settings_dataclass
class PathSettings:
    """``[paths]``: where alertlens keeps its data (relative to the working directory)."""

    lake: str = "data/lake"
    inbox: str = "data/inbox"
    reports: str = "data/reports"


def _pullable(sources: tuple[str, ...]) -> tuple[str, ...]:
    bad = [s for s in sources if s not in PULLABLE]
    if bad:
        raise ValueError(f"cannot pull {', '.join(bad)}; choose from {', '.join(PULLABLE)}")
    return sources


@settings_dataclass
class NightlySettings:
    """``[nightly]``: what the nightly run does besides ingest, analyse and report."""

    # sources to pull before ingesting, e.g. ["pagerduty"]
    pull: Annotated[Names, AfterValidator(_pullable)] = ()
    # needed when "prometheus" is pulled
    prometheus_url: str = ""
    # pull Opsgenie from the EU region
    opsgenie_eu: bool = False
    # >0: parse inbox files on a local Dask cluster of this many processes
    dask_workers: NonNegativeInt = 0
    # retries of a whole pull task, on top of [pull] per-request retries
    pull_retries: NonNegativeInt = 2
    # wait before each retry of a pull task
    pull_retry_delay_seconds: NonNegativeInt = 60

    @model_validator(mode="after")
    def _prometheus_has_a_url(self) -> NightlySettings:
        if "prometheus" in self.pull and not self.prometheus_url:
            raise ValueError("pull includes prometheus but prometheus_url is not set")
        return self


def _scheduler_address(address: str) -> str:
    if address and "://" not in address:
        raise ValueError('not a scheduler address like "tcp://host:8786"')
    return address


@settings_dataclass
class DaskSettings:
    """``[dask]``: where ``analyze`` runs its per-team shards (docs/architecture.md, "Beyond one
    machine"). Neither set: one process, no Prefect."""

    # >0: the shards run as mapped Prefect tasks on a local Dask cluster of this many processes
    workers: NonNegativeInt = 0
    # an existing Dask scheduler, e.g. "tcp://10.0.0.5:8786" (wins over workers)
    address: Annotated[str, AfterValidator(_scheduler_address)] = ""
    # threads of each local worker process
    threads_per_worker: PositiveInt = 1
    # tasks the teams are cut into (of about equal incidents; at most one per team)
    shards: PositiveInt = 8

    @property
    def enabled(self) -> bool:
        """Whether the shards run on Dask at all."""
        return bool(self.address) or self.workers > 0


def _cron(expression: str) -> str:
    if len(expression.split()) != 5:
        raise ValueError("not a 5-field cron expression")
    return expression


@settings_dataclass
class ScheduleSettings:
    """``[schedule]``: when ``alertlens serve`` runs the nightly flow."""

    # 02:00 every night
    cron: Annotated[str, AfterValidator(_cron)] = "0 2 * * *"
    timezone: TimeZone = "UTC"
    deployment: str = "alertlens-nightly"
    # the embedded server's port; 0 picks a free one
    server_port: Annotated[int, Field(ge=0, le=65535)] = 4200
    server_startup_seconds: Positive = 120.0


#: The sections of alertlens.toml besides [paths], [sources], [metrics] and [responders]:
#: section name -> its settings dataclass.
SECTIONS: Final[dict[str, type[Any]]] = {
    "noise": NoiseThresholds,
    "report": ReportSettings,
    "nightly": NightlySettings,
    "dask": DaskSettings,
    "schedule": ScheduleSettings,
    "pull": PullSettings,
    "receiver": ReceiverSettings,
    "generate": GeneratorSettings,
}
#: Every top-level table alertlens.toml may hold.
KNOWN_TABLES: Final = ("paths", "sources", "metrics", "responders", *SECTIONS)


@dataclass(frozen=True)
class Config:
    """The validated configuration: one typed settings object per section."""

    path: Path | None = None
    lake: Path = Path("data/lake")
    inbox: Path = Path("data/inbox")
    reports: Path = Path("data/reports")
    noise: NoiseThresholds = field(default_factory=NoiseThresholds)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    nightly: NightlySettings = field(default_factory=NightlySettings)
    dask: DaskSettings = field(default_factory=DaskSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    pull: PullSettings = field(default_factory=PullSettings)
    receiver: ReceiverSettings = field(default_factory=ReceiverSettings)
    generate: GeneratorSettings = field(default_factory=GeneratorSettings)
    #: ``[sources.<name>]`` tables, already validated by their readers' option classes
    sources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def source_options(self, source: str) -> Mapping[str, Any]:
        """The ``[sources.<source>]`` table, or an empty one."""
        return self.sources.get(source, {})


def load_config(path: Path | None = None, *, env: Mapping[str, str] | None = None) -> Config:
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
            raise ConfigError(f"{candidate}: is a directory, not a configuration file") from err
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise ConfigError(f"{candidate}: not valid TOML ({err})") from err
        except OSError as err:
            raise ConfigError(f"{candidate}: cannot read ({err.strerror})") from err
    try:
        return config_from_tables(data, path=candidate, env=env)
    except SettingsError as err:
        raise ConfigError(f"{candidate}: {err}") from None


def config_from_tables(
    data: Mapping[str, Any], *, path: Path | None = None, env: Mapping[str, str] | None = None
) -> Config:
    """The configuration of the parsed TOML ``data``; SettingsError naming the first bad key."""
    env = env or {}
    unknown = sorted(set(data) - set(KNOWN_TABLES))
    if unknown:
        raise SettingsError(
            f"unknown table(s) {', '.join(f'[{u}]' for u in unknown)} "
            f"(known: {', '.join(KNOWN_TABLES)})"
        )
    paths = settings_from_table(PathSettings, data.get("paths", {}), "paths")
    sources = data.get("sources", {})
    if not isinstance(sources, Mapping):
        raise SettingsError("[sources] must be a table of [sources.<name>] tables")
    for source, table in sources.items():
        if not isinstance(table, Mapping):
            raise SettingsError(f"[sources.{source}] must be a table")
        checked_options(source, table)
    sections = {
        name: settings_from_table(cls, data.get(name, {}), name) for name, cls in SECTIONS.items()
    }
    return Config(
        path=path,
        lake=Path(env.get(ENV_LAKE) or paths.lake),
        inbox=Path(env.get(ENV_INBOX) or paths.inbox),
        reports=Path(env.get(ENV_REPORTS) or paths.reports),
        metrics=metrics_settings(_table(data, "metrics"), _table(data, "responders")),
        sources={str(k): dict(v) for k, v in sources.items()},
        **sections,
    )


def _table(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, Mapping):
        raise SettingsError(f"[{name}] must be a table")
    return value
