"""Record linkage: telling that records from several sources (or one) describe one real event.

:mod:`comity.linkage.records` turns engagements into the fields linkage compares,
:mod:`comity.linkage.model` scores pairs of records with a Fellegi-Sunter model (Splink on
DuckDB) whose parameters ship with comity, and :mod:`comity.linkage.synthetic` makes the
labelled second source the model is trained and measured on. docs/importing.md ("One event,
many sources") explains the comparisons, the thresholds and the review.
"""
