"""pac, the Platform Automation Catalog toolchain."""

__version__ = "0.1.0"
