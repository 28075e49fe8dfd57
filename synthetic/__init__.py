"""A deterministic simulator of an on-call organisation that writes vendor exports
(PagerDuty REST v2 pages, Alertmanager webhook v4 JSONL) plus the ground truth: a test tool for
the noise analysis, not a model of the world.

``world.generate(...)`` is the entry point; ``scenarios.world_of`` builds a world, ``simulate``
and ``incidents`` are pure numpy, the writers (``pagerduty``, ``alertmanager``, ``truth``) do IO.
"""
