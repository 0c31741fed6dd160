"""Models on per-customer data pulled from the engine: lifetimes and survival, BTYD, churn."""
