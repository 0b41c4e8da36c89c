"""Importing residents from CSV/XLSX spreadsheets: see service.ResidentImport for the flow."""

from siaga.registry.importing.readers import ImportRefused, Source, open_source
from siaga.registry.importing.results import ImportResult, RowError
from siaga.registry.importing.service import ResidentImport

__all__ = ["ImportRefused", "ImportResult", "ResidentImport", "RowError", "Source", "open_source"]
