"""Named worlds: organisation size, sources, the mix of rule kinds and which data is missing."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    teams: tuple[int, int]
    services_per_team: tuple[int, int]
    rules: tuple[int, int]  # total rules in the organisation
    # per team, the source its rules report through (weights); a team may mix two
    team_sources: dict[str, float]
    mixed_team_share: float  # share of teams whose rules use two sources
    kind_mix: dict[str, float]
    few_firing_share: float = 0.2  # rules that fire 1-5 times in the window
    title_styles: dict[str, float] = field(
        default_factory=lambda: {"human": 0.75, "static": 0.2, "hashed": 0.05}
    )
    am_label_only_share: float = 0.15  # AM rules without summary/description annotations
    fault_rate: tuple[float, float] = (0.3, 2.0)  # real faults per actionable rule per week
    false_alarm: tuple[float, float] = (0.0, 0.15)  # share of an actionable rule's firings
    real_in_noise: tuple[float, float] = (0.0, 0.04)  # real problems caught by a noisy rule
    noise_intensity: float = 1.0  # multiplies the rates of noisy kinds
    cross_team_duplicates: float = 0.2
    cross_source_duplicates: float = 0.0
    merge_prob: float = 0.75
    # PagerDuty
    pd_priorities: bool = False
    pd_alert_resolved_at: float = 0.5  # share of services whose alerts carry resolved_at
    pd_log_modes: dict[str, float] = field(default_factory=lambda: {"full": 1.0})
    pd_no_notify: float = 0.01  # schedule gaps: incidents nobody was notified of
    pd_low_urgency_services: float = 0.15
    pd_auto_resolve_services: float = 0.3
    pd_grouping_services: float = 0.0  # services with time-based alert grouping
    # Alertmanager
    am_group_wait: float = 30.0
    am_group_interval: float = 300.0
    am_repeat_pager: float = 4 * 3600.0
    am_repeat_slack: float = 12 * 3600.0
    am_max_alerts: int = 0
    # Opsgenie
    og_logs_share: float = 1.0  # share of alerts whose logs were exported
    og_ack_data: bool = True
    # storms (infrastructure episodes that set off many rules at once)
    storms_per_week: float = 0.0
    storm_join: tuple[float, float] = (0.4, 0.9)
    night_owls: float = 0.1  # share of responders in another time zone than their team


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in [
        Scenario(
            name="startup-mixed",
            description="2 teams, PagerDuty + Alertmanager, ~10 rules; an unhealthy young setup",
            teams=(2, 2),
            services_per_team=(2, 3),
            rules=(9, 12),
            team_sources={"pagerduty": 0.5, "alertmanager": 0.5},
            mixed_team_share=0.6,
            kind_mix={
                "actionable": 3.0,
                "flapping": 1.2,
                "transient": 1.2,
                "informational": 1.0,
                "ack_and_forget": 0.8,
                "duplicate": 0.8,
                "long_standing": 0.5,
                "low_urgency": 0.5,
            },
            few_firing_share=0.25,
            cross_source_duplicates=0.4,
        ),
        Scenario(
            name="enterprise-pd",
            description="8-11 teams, 60-85 rules, PagerDuty only: priorities, escalations, "
            "reassignments, merges, alert grouping",
            teams=(8, 11),
            services_per_team=(2, 4),
            rules=(60, 85),
            team_sources={"pagerduty": 1.0},
            mixed_team_share=0.0,
            kind_mix={
                "actionable": 5.0,
                "flapping": 0.8,
                "transient": 1.3,
                "informational": 0.9,
                "ack_and_forget": 1.0,
                "duplicate": 1.5,
                "long_standing": 0.6,
                "low_urgency": 1.0,
            },
            few_firing_share=0.25,
            pd_priorities=True,
            pd_log_modes={"full": 1.0},
            cross_team_duplicates=0.3,
            pd_grouping_services=0.3,
            pd_auto_resolve_services=0.35,
        ),
        Scenario(
            name="am-storms",
            description="Alertmanager-heavy platform org with alert storms: infrastructure "
            "episodes that set off many rules across services at once",
            teams=(3, 5),
            services_per_team=(2, 4),
            rules=(26, 40),
            team_sources={"alertmanager": 0.85, "pagerduty": 0.15},
            mixed_team_share=0.2,
            kind_mix={
                "actionable": 2.5,
                "storm_symptom": 3.5,
                "flapping": 1.0,
                "transient": 1.0,
                "informational": 0.5,
                "duplicate": 0.8,
                "long_standing": 0.6,
                "low_urgency": 1.0,
            },
            storms_per_week=1.6,
            am_max_alerts=20,
            am_label_only_share=0.3,
            noise_intensity=1.0,
        ),
        Scenario(
            name="opsgenie-shop",
            description="Online shop on Opsgenie + Alertmanager, many low-priority (e-mail only) "
            "alerts, mostly healthy paging",
            teams=(3, 4),
            services_per_team=(2, 3),
            rules=(18, 26),
            team_sources={"opsgenie": 0.7, "alertmanager": 0.3},
            mixed_team_share=0.4,
            kind_mix={
                "actionable": 6.0,
                "low_urgency": 3.0,
                "transient": 0.5,
                "informational": 0.4,
                "ack_and_forget": 0.5,
                "duplicate": 0.5,
                "long_standing": 0.3,
                "flapping": 0.3,
            },
            noise_intensity=0.6,
            few_firing_share=0.2,
            cross_source_duplicates=0.3,
            og_logs_share=0.6,
        ),
        Scenario(
            name="sparse-data",
            description="Sparse exports: PagerDuty without log entries for some teams (no acks "
            "at all) or overview-only logs (no notifications), alerts without resolve times, "
            "anonymised 40-hex titles, label-only Alertmanager alerts, few firings per rule",
            teams=(3, 4),
            services_per_team=(2, 3),
            rules=(20, 30),
            team_sources={"pagerduty": 0.7, "alertmanager": 0.3},
            mixed_team_share=0.3,
            kind_mix={
                "actionable": 3.0,
                "flapping": 0.6,
                "transient": 1.2,
                "informational": 0.8,
                "ack_and_forget": 0.8,
                "duplicate": 0.6,
                "long_standing": 0.8,
                "low_urgency": 0.6,
            },
            few_firing_share=0.6,
            title_styles={"human": 0.35, "static": 0.15, "hashed": 0.5},
            am_label_only_share=0.6,
            pd_alert_resolved_at=0.0,
            pd_log_modes={"none": 0.5, "overview": 0.3, "full": 0.2},
            noise_intensity=0.8,
        ),
        Scenario(
            name="steady-sre",
            description="A mature 4-5 team org on PagerDuty + Alertmanager with little noise",
            teams=(4, 5),
            services_per_team=(2, 3),
            rules=(28, 36),
            team_sources={"pagerduty": 0.6, "alertmanager": 0.4},
            mixed_team_share=0.3,
            kind_mix={
                "actionable": 9.0,
                "transient": 0.6,
                "informational": 0.3,
                "duplicate": 0.6,
                "ack_and_forget": 0.3,
                "long_standing": 0.3,
                "low_urgency": 0.8,
                "flapping": 0.2,
            },
            noise_intensity=0.5,
            false_alarm=(0.0, 0.1),
            fault_rate=(0.4, 2.5),
        ),
    ]
}
