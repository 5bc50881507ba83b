"""HSDS 3.0 JSON, HSDS tabular (CSV) and flat CSV import and export: parse → check → write.

The CLI (``wegwijzer import``/``export``) and the beheer upload page call the same functions.
"""

from .export import export_hsds_json
from .flat_csv import export_flat_csv
from .hsds_csv import export_hsds_csv
from .importer import FORMATS, import_file, sniff_format
from .report import ImportFailed, ImportReport, Problem
from .settings import load_municipality_settings

__all__ = [
    "FORMATS",
    "ImportFailed",
    "ImportReport",
    "Problem",
    "export_flat_csv",
    "export_hsds_csv",
    "export_hsds_json",
    "import_file",
    "load_municipality_settings",
    "sniff_format",
]
