"""keyaccount: audit a B2B company's customer base as an asset."""

__version__ = "0.1.0"
