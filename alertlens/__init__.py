"""alertlens: which alerts are noise, how fast an on-call organisation really responds, and
whether it is getting better.

The public Python API (docs/api.md)::

    import alertlens

    lake = alertlens.open_lake()                       # the project's lake; an error if missing
    alertlens.ingest_paths(lake, [Path("exports/")])
    config = alertlens.load_config()
    outputs = alertlens.analyze(lake, config)          # publishes <lake>/analysis
    report = alertlens.weekly_report(lake, config)     # the newest week that has ended

Names load on first use, so ``import alertlens`` (and the CLI's ``--help``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alertlens.analysis.noise import NoiseAnalysis, NoiseThresholds, noise_analysis
    from alertlens.analysis.pipeline import (
        AnalysisResults,
        MetricsAnalysis,
        analysis_results,
        metrics_analysis,
    )
    from alertlens.analysis.review import ReviewFigures, ReviewRequest, review_figures
    from alertlens.analysis.settings import MetricsSettings
    from alertlens.flows.config import Config, load_config
    from alertlens.flows.project import lake_path, open_lake, project_root
    from alertlens.flows.steps import analyze, report, review, review_inputs, weekly_report
    from alertlens.ingest.lake import Lake
    from alertlens.ingest.outputs import AnalysisStore
    from alertlens.ingest.schema import (
        Alerts,
        Incidents,
        Manifest,
        Notifications,
        Quarantine,
        Rules,
        Scored,
        Summary,
    )
    from alertlens.ingest.service import FileReport, ingest_paths

#: public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "Alerts": "alertlens.ingest.schema",
    "AnalysisResults": "alertlens.analysis.pipeline",
    "AnalysisStore": "alertlens.ingest.outputs",
    "Config": "alertlens.flows.config",
    "FileReport": "alertlens.ingest.service",
    "Incidents": "alertlens.ingest.schema",
    "Lake": "alertlens.ingest.lake",
    "Manifest": "alertlens.ingest.schema",
    "MetricsAnalysis": "alertlens.analysis.pipeline",
    "MetricsSettings": "alertlens.analysis.settings",
    "NoiseAnalysis": "alertlens.analysis.noise",
    "NoiseThresholds": "alertlens.analysis.noise",
    "Notifications": "alertlens.ingest.schema",
    "Quarantine": "alertlens.ingest.schema",
    "ReviewFigures": "alertlens.analysis.review",
    "ReviewRequest": "alertlens.analysis.review",
    "Rules": "alertlens.ingest.schema",
    "Scored": "alertlens.ingest.schema",
    "Summary": "alertlens.ingest.schema",
    "analysis_results": "alertlens.analysis.pipeline",
    "analyze": "alertlens.flows.steps",
    "ingest_paths": "alertlens.ingest.service",
    "lake_path": "alertlens.flows.project",
    "load_config": "alertlens.flows.config",
    "metrics_analysis": "alertlens.analysis.pipeline",
    "noise_analysis": "alertlens.analysis.noise",
    "open_lake": "alertlens.flows.project",
    "project_root": "alertlens.flows.project",
    "report": "alertlens.flows.steps",
    "review": "alertlens.flows.steps",
    "review_figures": "alertlens.analysis.review",
    "review_inputs": "alertlens.flows.steps",
    "weekly_report": "alertlens.flows.steps",
}

__all__ = [
    "Alerts",
    "AnalysisResults",
    "AnalysisStore",
    "Config",
    "FileReport",
    "Incidents",
    "Lake",
    "Manifest",
    "MetricsAnalysis",
    "MetricsSettings",
    "NoiseAnalysis",
    "NoiseThresholds",
    "Notifications",
    "Quarantine",
    "ReviewFigures",
    "ReviewRequest",
    "Rules",
    "Scored",
    "Summary",
    "analysis_results",
    "analyze",
    "ingest_paths",
    "lake_path",
    "load_config",
    "metrics_analysis",
    "noise_analysis",
    "open_lake",
    "project_root",
    "report",
    "review",
    "review_figures",
    "review_inputs",
    "weekly_report",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'alertlens' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
