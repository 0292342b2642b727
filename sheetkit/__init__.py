"""sheetkit: client-allocation workbooks for salons, skin-care centres and spas."""

from __future__ import annotations

__version__ = "0.1.0"
