"""One module per source. Each provides ``NAME``, ``detect(shape)`` (the file's structure,
:mod:`ingest.shape`) and ``read(path, options, kind)`` (see :class:`ingest.records.SourceReader`).
Register new modules in ``READER_MODULES``."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from functools import cache
from types import ModuleType
from typing import Any

#: source name -> module path. Order matters only for documentation; detection asks every one.
READER_MODULES: dict[str, str] = {
    "pagerduty": "alertlens.ingest.readers.pagerduty",
    "alertmanager": "alertlens.ingest.readers.alertmanager",
    "servicenow": "alertlens.ingest.readers.servicenow",
    "statuspage": "alertlens.ingest.readers.statuspage",
    "prometheus": "alertlens.ingest.readers.prometheus",
    "opsgenie": "alertlens.ingest.readers.opsgenie",
    "csv": "alertlens.ingest.readers.csv_mapped",
}


@cache
def reader(name: str) -> ModuleType:
    """The reader module of source ``name``; KeyError for an unknown source."""
    return importlib.import_module(READER_MODULES[name])


def source_names() -> list[str]:
    """Every source name the ingest knows."""
    return list(READER_MODULES)


#: source name -> (module, class) of its ``[sources.<name>]`` options.
_OPTIONS: dict[str, tuple[str, str]] = {
    "pagerduty": ("alertlens.ingest.readers.pagerduty_exports", "PagerDutyOptions"),
    "alertmanager": ("alertlens.ingest.readers.alertmanager", "AlertmanagerOptions"),
    "servicenow": ("alertlens.ingest.readers.servicenow", "ServiceNowOptions"),
    "statuspage": ("alertlens.ingest.readers.statuspage", "StatuspageOptions"),
    "prometheus": ("alertlens.ingest.readers.prometheus", "PrometheusOptions"),
    "opsgenie": ("alertlens.ingest.readers.opsgenie", "OpsgenieOptions"),
    "csv": ("alertlens.ingest.readers.csv_mapped", "CsvOptions"),
}


def checked_options(source: str, table: Mapping[str, Any]) -> None:
    """Validate the ``[sources.<source>]`` table as its reader will read it; SettingsError
    naming the key and value otherwise (so a bad option is caught when the file is loaded,
    not as a failure of every record)."""
    from alertlens.ingest.settings_table import SettingsError, settings_from_table

    if source not in _OPTIONS:
        known = ", ".join(source_names())
        raise SettingsError(f"[sources] unknown source {source!r} (known: {known})")
    if source == "csv":
        from alertlens.ingest.readers.csv_mapped import mappings_from_options

        mappings_from_options(table)
        return
    module, name = _OPTIONS[source]
    settings_from_table(getattr(importlib.import_module(module), name), table, f"sources.{source}")
