"""Importers of the datasets comity bundles, one module per dataset."""
