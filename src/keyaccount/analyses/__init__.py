"""The analyses of ``docs/metrics.md``, one module per area, and the registry of their needs."""
