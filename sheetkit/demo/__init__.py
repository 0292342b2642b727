"""The synthetic demo salon: realistic clients, visits, appointments, feedback, patch tests, consents and
follow-ups, in the locale's language, reproducible by seed.

How the package is laid out, in the order the demo is drawn:

- :mod:`.salon` -- :func:`generate_demo` and :func:`write_demo`, the whole salon step by step
- :mod:`.draw` -- the seeded generator and Faker, drawing in the template's vocabulary
- :mod:`.tables` -- the fixed probability tables
- :mod:`.words` -- what staff write, per language (``words_en``, ``words_zh``, ``words_it``, ``words_vi``)
- :mod:`.columns` -- typed numpy columns and how they become canonical frames
- :mod:`.catalogue` -- branches, therapists, services, payment methods
- :mod:`.history` -- who comes when: segments, cadences, visit days
- :mod:`.visits`, :mod:`.patch_tests`, :mod:`.clients` (with :mod:`.people`), :mod:`.consents`,
  :mod:`.appointments`, :mod:`.feedback`, :mod:`.follow_ups` -- the sheets
"""

from __future__ import annotations

from sheetkit.demo.salon import generate_demo, write_demo

__all__ = ["generate_demo", "write_demo"]
