"""The synthetic demo salon: realistic clients, visits, appointments and feedback, reproducible by seed.

How the package is laid out, in the order the demo is drawn:

- :mod:`.salon` -- :func:`generate_demo` and :func:`write_demo`, the whole salon step by step
- :mod:`.draw` -- the seeded generator and Faker, drawing in the template's vocabulary
- :mod:`.tables` -- the fixed probability tables and English text banks
- :mod:`.columns` -- typed numpy columns and how they become canonical frames
- :mod:`.catalogue` -- branches, therapists, services, payment methods
- :mod:`.history` -- who comes when: segments, cadences, visit days
- :mod:`.visits`, :mod:`.clients` (with :mod:`.people`), :mod:`.appointments`, :mod:`.feedback` -- the sheets
"""

from __future__ import annotations

from sheetkit.demo.salon import generate_demo, write_demo

__all__ = ["generate_demo", "write_demo"]
