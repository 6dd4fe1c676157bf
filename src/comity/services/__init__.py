"""Use cases shared by the CLI, the API and the web pages.

Each function opens one transaction (writes) or one connection (reads) on the store, validates
its input against the domain model and the nation registry, and returns model objects. Adapters
parse input, call one of these, and format the result; they hold no SQL and no business rules.

The names below are loaded on first use (PEP 562): a face that needs one use case, such as a
command of the CLI, does not load the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comity.lazy import lazy_names

if TYPE_CHECKING:
    from comity.services.engagements import (
        EngagementFilter,
        StoredEngagement,
        add_engagement,
        add_engagements,
        count_engagements,
        delete_engagement,
        edit_engagement,
        get_engagement,
        list_engagements,
    )
    from comity.services.people import (
        add_assessment,
        add_institution,
        add_person,
        add_posting,
        get_person,
        list_assessments,
        list_institutions,
        list_people,
        list_postings,
    )
    from comity.services.registry import (
        InitReport,
        NationProfile,
        OrganisationMembers,
        get_nation,
        get_organisation,
        initialise,
        list_nations,
        list_organisations,
        resolve_nation,
    )

__all__ = [
    "EngagementFilter",
    "InitReport",
    "NationProfile",
    "OrganisationMembers",
    "StoredEngagement",
    "add_assessment",
    "add_engagement",
    "add_engagements",
    "add_institution",
    "add_person",
    "add_posting",
    "count_engagements",
    "delete_engagement",
    "edit_engagement",
    "get_engagement",
    "get_nation",
    "get_organisation",
    "get_person",
    "initialise",
    "list_assessments",
    "list_engagements",
    "list_institutions",
    "list_nations",
    "list_organisations",
    "list_people",
    "list_postings",
    "resolve_nation",
]

# Where each public name lives.
_HOMES = {
    "EngagementFilter": "comity.services.engagements",
    "StoredEngagement": "comity.services.engagements",
    "add_engagement": "comity.services.engagements",
    "add_engagements": "comity.services.engagements",
    "count_engagements": "comity.services.engagements",
    "delete_engagement": "comity.services.engagements",
    "edit_engagement": "comity.services.engagements",
    "get_engagement": "comity.services.engagements",
    "list_engagements": "comity.services.engagements",
    "add_assessment": "comity.services.people",
    "add_institution": "comity.services.people",
    "add_person": "comity.services.people",
    "add_posting": "comity.services.people",
    "get_person": "comity.services.people",
    "list_assessments": "comity.services.people",
    "list_institutions": "comity.services.people",
    "list_people": "comity.services.people",
    "list_postings": "comity.services.people",
    "InitReport": "comity.services.registry",
    "NationProfile": "comity.services.registry",
    "OrganisationMembers": "comity.services.registry",
    "get_nation": "comity.services.registry",
    "get_organisation": "comity.services.registry",
    "initialise": "comity.services.registry",
    "list_nations": "comity.services.registry",
    "list_organisations": "comity.services.registry",
    "resolve_nation": "comity.services.registry",
}


__getattr__, __dir__ = lazy_names(__name__, _HOMES, globals(), __all__)
