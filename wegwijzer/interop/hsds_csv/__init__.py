"""HSDS 3.0 tabular data package: CSV files plus ``datapackage.json``, read and written.

``tables``: the tables and their columns; ``read``: a package into service objects;
``write``: the directory into a package.
"""

from .read import parse_datapackage
from .tables import TABLES, table_columns
from .write import datapackage, export_hsds_csv, package_columns, package_tables, write_table

__all__ = [
    "TABLES",
    "datapackage",
    "export_hsds_csv",
    "package_columns",
    "package_tables",
    "parse_datapackage",
    "table_columns",
    "write_table",
]
