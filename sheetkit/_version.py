"""The package version, in one place (read by hatch and by the About sheet)."""

__version__ = "0.1.0"
