"""Alert rule templates and the variable parts of their titles (hosts, percentages, ids, paths).

Every value is a pure function of a firing's host index and two random integers, so a firing's
title and labels are reproducible from the simulation arrays alone.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Final


@dataclass(frozen=True)
class Template:
    """One kind of alert: its alertname, default severity, host naming and title shapes."""

    alertname: str
    severity: str
    host_style: str  # short | ec2 | pod | db
    job: str
    port: int
    pd: str  # PagerDuty-style summary (the incident title)
    summary: str  # Alertmanager annotation summary
    description: str
    extra: tuple[str, ...] = ()  # variables also put into labels


TEMPLATES: Final[dict[str, Template]] = {
    t.alertname: t
    for t in (
        Template(
            "HighCPUUsage",
            "critical",
            "short",
            "node",
            9100,
            "CPU usage is {pct}% on {host}",
            "CPU usage above 90% on {host}",
            "CPU usage is {pct}% (threshold 90%) on {instance}.",
        ),
        Template(
            "DiskSpaceLow",
            "warning",
            "ec2",
            "node",
            9100,
            "DISK CRITICAL - free space: {path} {pct_low}% on {host}",
            "Disk {path} on {host} is {pct}% full",
            "Filesystem {path} has {pct_low}% free.",
            ("mountpoint",),
        ),
        Template(
            "KubePodCrashLooping",
            "critical",
            "pod",
            "kube-state-metrics",
            8080,
            "Pod {namespace}/{pod} ({container}) is restarting {n_small} times / 10 minutes",
            "Pod {namespace}/{pod} is crash looping",
            'Pod {namespace}/{pod} ({container}) is in waiting state (reason: "CrashLoopBackOff").',
            ("namespace", "pod", "container"),
        ),
        Template(
            "HighMemoryUsage",
            "warning",
            "ec2",
            "node",
            9100,
            "Memory usage {pct}% on {host}",
            "Memory usage high on {host}",
            "Available memory is {pct_low}% on {instance}.",
        ),
        Template(
            "HTTPErrorRateHigh",
            "critical",
            "pod",
            "ingress-nginx",
            10254,
            "5xx error rate {pct_low}% on {service} ingress (path {url_path})",
            "High 5xx rate on {service}",
            "{pct_low}% of requests to {url_path} failed in the last 5 minutes.",
        ),
        Template(
            "NodeNotReady",
            "critical",
            "ec2",
            "kube-state-metrics",
            8080,
            "Node {host} is NotReady",
            "Node {host} NotReady",
            "Node {host} has been unready for more than 5 minutes.",
        ),
        Template(
            "PostgresReplicationLag",
            "error",
            "db",
            "postgres",
            9187,
            "Replication lag {n}s on {host}",
            "Replication lag on {host}",
            "Replica {host} is {n} seconds behind the primary.",
        ),
        Template(
            "CertificateExpiringSoon",
            "warning",
            "short",
            "blackbox",
            9115,
            'TLS certificate for "{domain}" expires in {days} days',
            "Certificate for {domain} expires soon",
            'The certificate for "{domain}" expires in {days} days.',
        ),
        Template(
            "BackupJobFailed",
            "error",
            "short",
            "cron",
            9102,
            "Backup job {uuid} failed for {path}",
            "Backup job failed on {host}",
            "Backup job {uuid} exited with status {exit}.",
        ),
        Template(
            "QueueDepthHigh",
            "warning",
            "short",
            "rabbitmq",
            15692,
            'Queue "{queue}" depth {n} above threshold on {host}',
            "Queue {queue} depth high",
            'Queue "{queue}" has {n} ready messages.',
            ("queue",),
        ),
        Template(
            "KubeJobFailed",
            "warning",
            "pod",
            "kube-state-metrics",
            8080,
            "Job {namespace}/{job_name} failed",
            "Job {namespace}/{job_name} failed",
            "Job {namespace}/{job_name} failed to complete (run {uuid}).",
            ("namespace",),
        ),
        Template(
            "LatencyP99High",
            "error",
            "pod",
            "http",
            8080,
            "p99 latency {ms}ms on {service} {url_path}",
            "p99 latency high on {service}",
            "p99 latency is {ms}ms on {url_path} (SLO 500ms).",
        ),
        Template(
            "InstanceDown",
            "critical",
            "short",
            "node",
            9100,
            "Instance {instance} down",
            "Instance {instance} down",
            "{instance} of job node has been down for more than 1 minute.",
        ),
        Template(
            "KafkaConsumerLag",
            "warning",
            "short",
            "kafka-exporter",
            9308,
            'Consumer group "{group}" lag {n} on topic {topic}',
            "Kafka consumer lag on {topic}",
            'Consumer group "{group}" is {n} messages behind on {topic}.',
            ("topic",),
        ),
        Template(
            "ClockSkewDetected",
            "info",
            "ec2",
            "node",
            9100,
            "Clock skew {ms}ms on {host}",
            "Clock skew on {host}",
            "NTP offset is {ms}ms on {instance}.",
        ),
        Template(
            "HostHighLoad",
            "warning",
            "short",
            "node",
            9100,
            "WARNING - load average: {load} on {host}",
            "High load on {host}",
            "Load average {load} on {instance}.",
        ),
        Template(
            "DeploymentReplicasMismatch",
            "warning",
            "pod",
            "kube-state-metrics",
            8080,
            "Deployment {namespace}/{deployment} has {n_small} unavailable replicas",
            "Deployment {namespace}/{deployment} replicas mismatch",
            "Deployment {namespace}/{deployment} has not matched the desired replicas.",
            ("namespace", "deployment"),
        ),
        Template(
            "SSLHandshakeErrors",
            "info",
            "short",
            "blackbox",
            9115,
            "SSL handshake errors {pct_low}% to {domain}",
            "SSL handshake errors to {domain}",
            '{pct_low}% of TLS handshakes to "{domain}" failed.',
        ),
        Template(
            "ErrorBudgetBurn",
            "critical",
            "pod",
            "sloth",
            8080,
            "Error budget burn rate {load}x on {service} ({pct_low}% of budget left)",
            "Error budget burning fast on {service}",
            "Burn rate {load}x over 1h; {pct_low}% of the 30d budget left.",
        ),
        Template(
            "DiskIOSaturation",
            "warning",
            "ec2",
            "node",
            9100,
            "Disk IO {pct}% busy on {host} device /dev/nvme{n_small}n1",
            "Disk IO saturated on {host}",
            "Device /dev/nvme{n_small}n1 is {pct}% busy.",
        ),
    )
}

_PATHS: Final = ("/var/lib/postgresql", "/var/log", "/data", "/mnt/backup", "/", "/var/lib/docker")
_URL_PATHS: Final = ("/api/v1/orders", "/checkout", "/api/v2/search", "/login", "/graphql")
_NAMESPACES: Final = ("prod", "payments", "ingest", "platform", "web")
_CONTAINERS: Final = ("app", "worker", "sidecar", "migrate")
_QUEUES: Final = ("orders.created", "email.outbound", "billing-events", "webhooks")
_TOPICS: Final = ("orders", "clickstream", "audit-log", "payments.v2")
_DOMAINS: Final = ("api.example.com", "shop.example.com", "auth.example.net", "cdn.example.org")


def _h(text: str) -> int:
    return int.from_bytes(hashlib.sha1(text.encode()).digest()[:4], "big")


def host_name(style: str, prefix: str, index: int) -> str:
    """The hostname of host ``index`` of a service, in the template's naming style.

    >>> host_name("short", "web", 3)
    'web-03'
    """
    if style == "ec2":
        seed = _h(f"{prefix}{index}")
        return f"ip-10-{seed % 8}-{(seed >> 8) % 64}-{(seed >> 16) % 250 + 2}.ec2.internal"
    if style == "pod":
        seed = _h(f"{prefix}{index}")
        return f"{prefix}-{seed % 0xFFFFF:05x}{index % 10}-{(seed >> 12) % 0xFFFFF:05x}"
    if style == "db":
        return f"{prefix}-db-{index + 1}"
    return f"{prefix}-{index:02d}"


def _uuid(v1: int, v2: int) -> str:
    x = hashlib.md5(f"{v1}:{v2}".encode()).hexdigest()
    return f"{x[:8]}-{x[8:12]}-4{x[13:16]}-a{x[17:20]}-{x[20:32]}"


_FIELDS: Final[dict[str, Callable[[str, str, int, int, int], str]]] = {
    # each takes (host, service, port, v1, v2)
    "host": lambda h, s, p, a, b: h,
    "instance": lambda h, s, p, a, b: f"{h}:{p}",
    "service": lambda h, s, p, a, b: s,
    "pct": lambda h, s, p, a, b: str(90 + a % 10),
    "pct_low": lambda h, s, p, a, b: str(1 + a % 9),
    "n": lambda h, s, p, a, b: str(120 + a % 9000),
    "n_small": lambda h, s, p, a, b: str(2 + a % 7),
    "ms": lambda h, s, p, a, b: str(500 + a % 2500),
    "load": lambda h, s, p, a, b: f"{4 + a % 20}.{b % 100:02d}",
    "days": lambda h, s, p, a, b: str(1 + a % 13),
    "exit": lambda h, s, p, a, b: str(1 + a % 3),
    "uuid": lambda h, s, p, a, b: _uuid(a, b),
    "path": lambda h, s, p, a, b: _PATHS[(_h(h) + b) % len(_PATHS)],
    "mountpoint": lambda h, s, p, a, b: _PATHS[(_h(h) + b) % len(_PATHS)],
    "url_path": lambda h, s, p, a, b: _URL_PATHS[b % len(_URL_PATHS)],
    "namespace": lambda h, s, p, a, b: _NAMESPACES[_h(s) % len(_NAMESPACES)],
    "pod": lambda h, s, p, a, b: h,
    "container": lambda h, s, p, a, b: _CONTAINERS[_h(h) % len(_CONTAINERS)],
    "deployment": lambda h, s, p, a, b: s,
    "job_name": lambda h, s, p, a, b: f"{s}-nightly-{b % 0xFFFFFF:06x}",
    "queue": lambda h, s, p, a, b: _QUEUES[_h(s + h) % len(_QUEUES)],
    "topic": lambda h, s, p, a, b: _TOPICS[_h(s + h) % len(_TOPICS)],
    "group": lambda h, s, p, a, b: f"{s}-consumer",
    "domain": lambda h, s, p, a, b: _DOMAINS[_h(s + h) % len(_DOMAINS)],
}

_FORMATTER: Final = string.Formatter()


@cache
def _names(text: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in _FORMATTER.parse(text) if name)


@cache
def _needed(template: Template) -> frozenset[str]:
    texts = (template.pd, template.summary, template.description)
    return frozenset(name for text in texts for name in _names(text)) | set(template.extra)


@dataclass(frozen=True)
class Rendered:
    """A firing's texts: PagerDuty summary, Alertmanager summary/description, extra labels."""

    pd: str
    summary: str
    description: str
    labels: dict[str, str]


def rendered(template: Template, host: str, service: str, v1: int, v2: int) -> Rendered:
    """The title, annotations and extra labels of one firing of ``template``."""
    needed = _needed(template)
    values = {k: _FIELDS[k](host, service, template.port, v1, v2) for k in needed}
    return Rendered(
        pd=template.pd.format(**values),
        summary=template.summary.format(**values),
        description=template.description.format(**values),
        labels={k: values[k] for k in template.extra},
    )


#: First names and surnames of simulated responders (deterministic pick by index).
FIRST_NAMES: Final = (
    "Amara",
    "Bastian",
    "Chen",
    "Divya",
    "Emeka",
    "Freya",
    "Gustavo",
    "Hana",
    "Ishaan",
    "Jonas",
    "Keiko",
    "Lena",
    "Mateo",
    "Nadia",
    "Oskar",
    "Priya",
    "Quinn",
    "Rafael",
    "Sofia",
    "Tomasz",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
)
SURNAMES: Final = (
    "Adeyemi",
    "Becker",
    "Castro",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Gupta",
    "Hoffmann",
    "Iyer",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Rao",
    "Schmidt",
    "Tanaka",
    "Varga",
    "Weber",
    "Yilmaz",
)
