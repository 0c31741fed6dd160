"""The planted phenomena, one module each.

Each ``plant_*`` function says what it plants and which analysis of ``METRICS.md`` must find
it; ``truth`` records the result.
"""
