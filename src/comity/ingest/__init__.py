"""Importers: one module per dataset, named after its folder under ``comity/data``.

Each module defines ``IMPORTER``, whose ``read`` turns files into a checked :class:`Batch`; the
services write the batch in one transaction. See :mod:`comity.ingest.base`.
"""
