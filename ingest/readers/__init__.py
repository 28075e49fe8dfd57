"""One module per source. Each provides ``NAME``, ``detect(path, head)`` and ``read(path, options)``
(see :class:`ingest.records.SourceReader`). Register new modules in ``READER_MODULES``."""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType

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
