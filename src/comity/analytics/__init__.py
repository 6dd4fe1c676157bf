"""Analytics: the tie-strength index, network measures and challenges, computed on DuckDB.

Read-only: the inputs are a snapshot of the records a viewer may see; the results carry the
method version and the digest of the settings that produced them.
"""
