"""Checks a team can have, their titles and labels, and the variable tokens in them.

A check is what a rule measures (alertname, a summary with {tokens}, extra labels). Which
*kind* a rule is (actionable, flapping, ...) is decided separately by the scenario mix: the same
"DiskSpaceLow" check is actionable in one team and ack-and-forget in another, as in real life.
"""

from __future__ import annotations

import numpy as np

TEAM_POOL = [
    ("payments", "Payments"),
    ("checkout", "Checkout"),
    ("platform", "Platform"),
    ("search", "Search"),
    ("identity", "Identity"),
    ("data-eng", "Data Engineering"),
    ("messaging", "Messaging"),
    ("storage", "Storage"),
    ("mobile-api", "Mobile API"),
    ("growth", "Growth"),
    ("billing", "Billing"),
    ("netops", "Network Ops"),
    ("observability", "Observability"),
    ("catalog", "Catalog"),
    ("fulfilment", "Fulfilment"),
    ("risk", "Risk"),
]

SERVICE_SUFFIXES = [
    "api",
    "worker",
    "db",
    "gateway",
    "scheduler",
    "consumer",
    "cache",
    "frontend",
    "indexer",
    "exporter",
    "etl",
    "router",
    "store",
    "sync",
    "auth",
    "ledger",
]

FIRST = [
    "Amara",
    "Bjorn",
    "Chen",
    "Dalia",
    "Emeka",
    "Farah",
    "Goran",
    "Hana",
    "Ines",
    "Jonas",
    "Kavya",
    "Luca",
    "Mei",
    "Nils",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zofia",
    "Arjun",
    "Beatriz",
    "Cormac",
    "Dmitri",
    "Elif",
    "Felipe",
    "Greta",
    "Hiro",
    "Isla",
    "Jana",
    "Kofi",
    "Lena",
    "Mateo",
    "Noor",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Wei",
    "Haddad",
    "Nwosu",
    "Rahman",
    "Petrovic",
    "Sato",
    "Moreau",
    "Becker",
    "Iyer",
    "Romano",
    "Tanaka",
    "Berg",
    "Ivanova",
    "Alves",
    "Murphy",
    "Costa",
    "Nilsson",
    "Aziz",
    "Kaur",
    "Horvat",
    "Zhang",
    "Ruiz",
    "Demir",
    "Nowak",
    "Reddy",
    "Souza",
    "Walsh",
    "Volkov",
]

ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Asia/Tokyo",
    "America/Sao_Paulo",
]

TOPICS = [
    "orders.v2",
    "payments.events",
    "inventory-updates",
    "user-signup",
    "clickstream",
    "ledger.entries",
    "email-dispatch",
    "search-reindex",
    "fraud.scores",
    "shipments",
]
QUEUES = [
    "email-outbound",
    "invoice-render",
    "webhook-retry",
    "thumbnail-gen",
    "export-jobs",
    "sms-outbound",
    "payout-batch",
    "audit-log",
]
JOBS = [
    "nightly-backup",
    "ledger-reconcile",
    "sitemap-build",
    "gdpr-purge",
    "report-export",
    "warehouse-load",
    "index-compaction",
    "billing-run",
    "cert-rotate",
    "snapshot-prune",
]
ROUTES = [
    "/api/v1/orders",
    "/api/v1/cart",
    "/checkout/confirm",
    "/search",
    "/login",
    "/api/v2/payments",
    "/graphql",
    "/healthz",
]
REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2", "eu-central-1"]
MOUNTS = ["/var", "/data", "/var/lib/postgresql", "/", "/mnt/kafka"]
DOMAINS = [
    "api.example.com",
    "checkout.example.com",
    "auth.example.net",
    "cdn.example.org",
    "partners.example.com",
]
DBS = ["orders", "ledger", "users", "catalog", "sessions"]


UPSTREAMS = ["stripe", "adyen", "twilio", "sendgrid", "s3", "auth0", "algolia", "postgres-primary"]


def hex_token(rng: np.random.Generator, n: int) -> str:
    return "".join("0123456789abcdef"[i] for i in rng.integers(0, 16, size=n))


def duration_text(rng: np.random.Generator, seconds: float) -> str:
    seconds = max(1, int(seconds))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m{seconds % 60:02d}s" if rng.random() < 0.5 else f"{seconds // 60}m"
    return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"


def token_value(name: str, rng: np.random.Generator, ctx: dict[str, str], hosts: list[str]) -> str:
    """A fresh value for ``name`` (a firing's variable part of a title or label)."""
    if name == "pct":
        return (
            f"{rng.uniform(70, 99.9):.1f}%"
            if rng.random() < 0.7
            else f"{int(rng.uniform(70, 100))}%"
        )
    if name == "ms":
        return str(int(rng.lognormal(7, 0.6)))
    if name == "sec":
        return str(int(rng.lognormal(4, 0.8)))
    if name == "num":
        return str(int(rng.lognormal(5, 1.3)) + 1)
    if name == "num2":
        return str(int(rng.integers(3, 12)))
    if name == "rate":
        return f"{rng.uniform(2, 30):.1f}"
    if name == "dur":
        return duration_text(rng, rng.lognormal(6.5, 1.0))
    if name == "size":
        return f"{rng.lognormal(4, 0.5):.1f}"
    if name == "days":
        return str(int(rng.integers(3, 29)))
    if name == "host":
        return hosts[int(rng.integers(0, len(hosts)))]
    if name == "pod":
        base = ctx.get("svc", "app")
        return f"{base}-{hex_token(rng, 9 if rng.random() < 0.5 else 10)}-{hex_token(rng, 5)}"
    if name == "part":
        return str(int(rng.integers(0, 24)))
    if name == "cg":
        return f"{ctx.get('svc', 'app')}-consumer"
    if name == "topic":
        return TOPICS[int(rng.integers(0, len(TOPICS)))]
    if name == "queue":
        return QUEUES[int(rng.integers(0, len(QUEUES)))]
    if name == "job":
        return JOBS[int(rng.integers(0, len(JOBS)))]
    if name == "route":
        return ROUTES[int(rng.integers(0, len(ROUTES)))]
    if name == "region":
        return REGIONS[int(rng.integers(0, len(REGIONS)))]
    if name == "mount":
        return MOUNTS[int(rng.integers(0, len(MOUNTS)))]
    if name == "domain":
        return DOMAINS[int(rng.integers(0, len(DOMAINS)))]
    if name == "db":
        return DBS[int(rng.integers(0, len(DBS)))]
    if name == "deploy":
        return f"{ctx.get('svc', 'app')}"
    if name == "hb":
        return f"{ctx.get('svc', 'app')}-{JOBS[int(rng.integers(0, len(JOBS)))]}"
    if name == "hash":
        return hex_token(rng, 40)
    if name == "upstream":
        return UPSTREAMS[int(rng.integers(0, len(UPSTREAMS)))]
    if name == "svc":
        return ctx.get("svc", "app")
    return hex_token(rng, 6)


def token_names(template: str) -> list[str]:
    import string

    return [f for _, f, _, _ in string.Formatter().parse(template) if f]
