"""One resolver for nation names and codes, and the reference registry it resolves against.

Code systems: ISO 3166 (alpha-3, alpha-2, numeric), Correlates of War (numeric and abbreviation),
Gleditsch-Ward, and free-text names, with the historical states of the CoW state system, the
successor table (which state continued, absorbed, dissolved into or lost which) and the years
each nation exists and the codes it holds in each.
"""

from comity.nations.reference import Reference, load_reference
from comity.nations.resolver import NationResolver, default_resolver, normalise_name
from comity.nations.successions import Succession, load_successions

__all__ = [
    "NationResolver",
    "Reference",
    "Succession",
    "default_resolver",
    "load_reference",
    "load_successions",
    "normalise_name",
]
