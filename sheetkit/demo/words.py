"""What the demo's staff write, in each language: products, notes, reasons, jobs and feedback.

A :class:`Words` holds every free-text bank the sheet builders draw from, so a demo is
written entirely in its locale's language: an Italian salon's notes are Italian, a
Vietnamese spa's clients have Vietnamese occupations. :func:`words_for` picks the bank
of a language (English when there is none); the banks live in ``words_en``,
``words_zh``, ``words_it`` and ``words_vi``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Words", "words_for"]


@dataclass(frozen=True)
class Words:
    """Every free-text bank of one language.

    Format fields: ``analyzer`` takes ``moisture``, ``sebum`` and ``finding``;
    ``batch`` takes ``product`` and ``code``; ``form_version`` takes ``year``;
    feedback texts and resolutions may take ``therapist``.
    """

    #: Products used, by service category key.
    products: Mapping[str, Sequence[str]]
    generic_products: Sequence[str]
    result_notes: Sequence[str]
    analyzer: str
    uv_findings: Sequence[str]
    allergies: Sequence[str]
    medications: Sequence[str]
    disliked: Sequence[str]
    room_music: Sequence[str]
    #: Lifestyle parts (sleep, smoking, diet, exercise, stress), one drawn from each and joined.
    lifestyle: Sequence[Sequence[str]]
    lifestyle_join: str
    notes: Sequence[str]
    paused_notes: Sequence[str]
    ended_notes: Sequence[str]
    occupations: Sequence[str]
    cancel_reasons: Sequence[str]
    appointment_notes: Sequence[str]
    #: Feedback texts and resolutions by feedback kind (praise, suggestion, complaint).
    feedback: Mapping[str, Sequence[str]]
    resolutions: Mapping[str, Sequence[str]]
    manager: str
    #: Products patch-tested, by service key; ``"other"`` for any other service.
    patch_products: Mapping[str, Sequence[str]]
    batch: str
    patch_areas: Sequence[str]
    #: Notes on a patch test, by result (pass, fail, pending).
    patch_notes: Mapping[str, Sequence[str]]
    #: Notes on a follow-up call, by outcome (reached, booked, declined, no_answer).
    follow_up_notes: Mapping[str, Sequence[str]]
    form_version: str


def words_for(lang: str) -> Words:
    """The banks of language ``lang`` (``"zh"``, ``"it"``, ``"vi"``; English for any other)."""
    from sheetkit.demo import words_en, words_it, words_vi, words_zh  # noqa: PLC0415 - the banks import Words

    banks = {"zh": words_zh.WORDS, "it": words_it.WORDS, "vi": words_vi.WORDS}
    return banks.get(lang, words_en.WORDS)
