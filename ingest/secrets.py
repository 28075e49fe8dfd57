"""The environment variables that carry secrets. Secrets come only from the environment, never
from alertlens.toml; this module names them once (standard library only, so the CLI's help can
mention them without loading anything)."""

from __future__ import annotations

from typing import Final

PAGERDUTY_TOKEN_ENV: Final = "PAGERDUTY_API_TOKEN"  # a REST API key (read-only is enough)
OPSGENIE_KEY_ENV: Final = "OPSGENIE_API_KEY"  # an API integration key with read access
PROMETHEUS_TOKEN_ENV: Final = "PROMETHEUS_BEARER_TOKEN"  # optional bearer token
RECEIVER_TOKEN_ENV: Final = "ALERTLENS_RECEIVER_TOKEN"  # webhook senders must present it
WEBHOOK_URL_ENV: Final = "ALERTLENS_WEBHOOK_URL"  # a Slack-compatible incoming-webhook URL

#: Every secret variable, for the docs check.
SECRET_ENVS: Final = (
    PAGERDUTY_TOKEN_ENV,
    OPSGENIE_KEY_ENV,
    PROMETHEUS_TOKEN_ENV,
    RECEIVER_TOKEN_ENV,
    WEBHOOK_URL_ENV,
)
