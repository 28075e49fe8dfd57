"""The checks a team can have: what a rule measures (alertname, a summary with {tokens}, extra
labels) and which kinds of rule it plausibly is. Which kind a rule is (actionable, flapping, ...)
is decided separately by the scenario mix: the same "DiskSpaceLow" check is actionable in one
team and ack-and-forget in another, as in real life.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    alertname: str
    summary: str  # with {tokens}
    severity: str  # default severity
    suits: tuple[str, ...]  # kinds this check is plausible for
    extra_labels: tuple[str, ...] = ()  # labels taken from the tokens (topic, queue, ...)
    instance: str = "host"  # which token is the instance label: host / pod / none


CHECKS: list[Check] = [
    Check(
        "HighErrorRate",
        "{svc} 5xx ratio {pct} over the last {dur}",
        "critical",
        ("actionable", "duplicate", "transient", "storm_symptom", "flapping"),
        (),
        "none",
    ),
    Check(
        "LatencyP99High",
        "p99 latency {ms}ms on {svc} {route}",
        "error",
        ("actionable", "duplicate", "transient", "flapping", "storm_symptom"),
    ),
    Check(
        "ErrorBudgetBurn",
        "{svc} burning error budget {rate}x (1h window)",
        "critical",
        ("actionable", "duplicate"),
        (),
        "none",
    ),
    Check(
        "KafkaConsumerLag",
        "Consumer group {cg} lag {num} on {topic} partition {part}",
        "warning",
        ("actionable", "flapping", "transient", "long_standing", "storm_symptom"),
        ("topic",),
        "pod",
    ),
    Check(
        "QueueDepthHigh",
        "Queue {queue} depth {num} (oldest message {dur})",
        "warning",
        ("actionable", "transient", "flapping", "ack_and_forget", "low_urgency"),
        ("queue",),
    ),
    Check(
        "DiskSpaceLow",
        "Disk {mount} {pct} full on {host}",
        "warning",
        ("actionable", "ack_and_forget", "long_standing", "low_urgency"),
    ),
    Check(
        "CPUHigh",
        "CPU {pct} on {host}",
        "warning",
        ("flapping", "transient", "ack_and_forget", "low_urgency", "storm_symptom"),
    ),
    Check(
        "MemoryPressure",
        "Memory {pct} used on {host}",
        "warning",
        ("flapping", "transient", "ack_and_forget", "low_urgency"),
    ),
    Check(
        "PodCrashLooping",
        "Pod {pod} restarted {num} times in {dur}",
        "critical",
        ("actionable", "transient", "ack_and_forget", "storm_symptom"),
        (),
        "pod",
    ),
    Check(
        "NodeNotReady",
        "Node {host} NotReady for {dur}",
        "critical",
        ("actionable", "storm_symptom", "transient"),
    ),
    Check(
        "ReplicationLag",
        "Replication lag {sec}s on {host}",
        "error",
        ("actionable", "flapping", "transient", "duplicate"),
    ),
    Check(
        "CertificateExpiring",
        "TLS certificate for {domain} expires in {days} days",
        "warning",
        ("long_standing", "ack_and_forget", "informational", "low_urgency"),
        (),
        "none",
    ),
    Check(
        "BackupCompleted",
        "Nightly backup of {db} finished in {dur} ({size} GB)",
        "info",
        ("informational",),
        (),
        "none",
    ),
    Check(
        "BatchJobFinished",
        "Job {job} finished: {num} records in {dur}",
        "info",
        ("informational",),
        (),
        "none",
    ),
    Check(
        "CronJobSlow",
        "CronJob {job} still running after {dur}",
        "warning",
        ("informational", "long_standing", "actionable"),
        (),
        "none",
    ),
    Check(
        "WeeklyReportReady",
        "Weekly {job} report generated ({num} rows)",
        "info",
        ("informational",),
        (),
        "none",
    ),
    Check(
        "SyntheticCheckFailed",
        "Synthetic check {route} failed from {region}",
        "critical",
        ("actionable", "flapping", "transient", "duplicate"),
    ),
    Check(
        "ConnectionPoolSaturated",
        "{svc} DB pool {pct} in use",
        "error",
        ("actionable", "flapping", "transient", "storm_symptom"),
    ),
    Check(
        "DeploymentReplicasMismatch",
        "Deployment {deploy} has {num}/{num2} replicas available",
        "warning",
        ("actionable", "long_standing", "transient", "storm_symptom"),
        (),
        "none",
    ),
    Check(
        "HeartbeatMissing",
        "Heartbeat {hb} missed for {dur}",
        "critical",
        ("actionable", "transient", "flapping", "duplicate"),
        (),
        "none",
    ),
    Check(
        "StreamProcessingStalled",
        "Stream {hash} stalled",
        "error",
        ("actionable", "flapping", "transient", "long_standing", "ack_and_forget"),
        (),
        "none",
    ),
    Check(
        "DNSLookupFailures",
        "DNS failures {pct} from {host}",
        "error",
        ("storm_symptom", "transient", "actionable", "duplicate"),
    ),
    Check(
        "UpstreamTimeouts",
        "{svc}: {num} upstream timeouts to {upstream} in {dur}",
        "error",
        ("storm_symptom", "duplicate", "actionable", "transient"),
    ),
    Check(
        "ETLDelayed",
        "Pipeline {job} delayed by {dur}",
        "warning",
        ("actionable", "informational", "long_standing", "low_urgency"),
        (),
        "none",
    ),
    Check(
        "PaymentProviderDegraded",
        "{upstream} authorisation success {pct}",
        "critical",
        ("actionable", "duplicate", "flapping"),
        (),
        "none",
    ),
    Check(
        "InodeUsageHigh",
        "Inodes {pct} used on {host}:{mount}",
        "warning",
        ("ack_and_forget", "long_standing", "low_urgency"),
    ),
    Check(
        "GCPauseLong",
        "GC pause {ms}ms on {pod}",
        "warning",
        ("transient", "flapping", "low_urgency"),
        (),
        "pod",
    ),
    Check(
        "CacheHitRatioLow",
        "{svc} cache hit ratio {pct}",
        "warning",
        ("transient", "flapping", "low_urgency", "storm_symptom"),
        (),
        "none",
    ),
    Check(
        "LoginFailuresSpike",
        "{num} failed logins in {dur} ({pct} of attempts)",
        "error",
        ("actionable", "transient", "informational"),
        (),
        "none",
    ),
    Check(
        "ClockSkew",
        "Clock offset {ms}ms on {host}",
        "warning",
        ("transient", "ack_and_forget", "long_standing"),
    ),
    Check(
        "ApiQuotaNearLimit",
        "API quota {pct} used for {upstream}",
        "warning",
        ("informational", "ack_and_forget", "low_urgency"),
        (),
        "none",
    ),
    Check(
        "EtcdLeaderChanges",
        "etcd leader changed {num} times in {dur}",
        "critical",
        ("actionable", "storm_symptom"),
        (),
        "none",
    ),
    Check(
        "LoadBalancerUnhealthyTargets",
        "{num} unhealthy targets behind {svc}-lb",
        "critical",
        ("actionable", "storm_symptom", "duplicate", "transient"),
        (),
        "none",
    ),
]
