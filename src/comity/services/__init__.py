"""Use cases shared by the CLI, the API and the web pages.

Each function opens one transaction (writes) or one connection (reads) on the store, validates
its input against the domain model and the nation registry, and returns model objects. Adapters
parse input, call one of these, and format the result; they hold no SQL and no business rules.
"""

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
