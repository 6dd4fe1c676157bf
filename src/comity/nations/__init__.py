"""One resolver for nation names and codes, and the reference registry it resolves against.

Code systems: ISO 3166 (alpha-3, alpha-2, numeric), Correlates of War (numeric and abbreviation),
Gleditsch-Ward, and free-text names, with the historical states of the CoW state system.
"""

from comity.nations.reference import Reference, load_reference
from comity.nations.resolver import NationResolver, default_resolver, normalise_name

__all__ = ["NationResolver", "Reference", "default_resolver", "load_reference", "normalise_name"]
