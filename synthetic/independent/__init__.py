"""worlds2: a second, independent family of simulated on-call worlds for alertlens.

The model (see README.md) simulates *latent conditions* of services (real faults, infrastructure
storms, cron jobs, oscillating metrics, slow-building conditions), *detectors* (alert rules) that
observe them, *routing* (PagerDuty urgency and escalation, Alertmanager route/group timers,
Opsgenie priorities) and *people* (on-call rotations, time-of-day response, learned habits per
rule). The vendor exports are written from that simulation; the ground truth labels each firing
by whether anyone needed to act on it.
"""

from alertlens.synthetic.independent.world import generate

__all__ = ["generate"]
