"""The generic importer: any CSV, TSV, JSON or Excel file read through a mapping."""
