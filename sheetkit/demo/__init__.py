"""The synthetic demo salon: realistic clients, visits, appointments and feedback, reproducible by seed."""

from __future__ import annotations

from sheetkit.demo.salon import generate_demo, write_demo

__all__ = ["generate_demo", "write_demo"]
