"""How the US Foreign Military Training Report's course lines are read: their kind and funding.

Kept apart from the importer (:mod:`comity.ingest.datasets.us_fmt_training`) because both rules
are vocabularies over the report's free text, each checked by its own tests.

**Education or training.** A course line is ``education`` when its course title or its
delivering US school names a place of professional military education (:data:`EDUCATION`): a
staff, command or war college (with the preparatory and international officer courses attached
to them: "INTL OFF SCH (FOR AC&SC)"), an academy, a university, a postgraduate school or degree
programme, a fellowship, cadets and midshipmen; or when the "Service Academies" programme pays
for it. Every other line (courses, seminars, workshops, conferences, mobile training teams,
English language training) is ``training``. Two kinds of "academy" teach technical or police
courses and stay training (:data:`NOT_EDUCATION`): the Inter-American Air Forces Academy and the
International Law Enforcement Academies.

**Funding.** The programme label carries the funding programme or authority and its fiscal year
in a dozen spellings ("IMET-1 - Fiscal Year 2019 Department of State Training", "International
Military Education And Training (IMET), FY 99", "DOS Western Hemisphere Region, Colombia,
International Military Education and Training (IMET)"). :func:`funding_of` strips the fiscal
year, the department, the region and country and the footnote marks, and names the programme
with :data:`FUNDING` (first match wins); a label it does not know keeps its stripped text.

**Schools.** The reports name the delivering US school (from FY2011 on) in many spellings: the
Marshall Center is also "GCMC" and "George C. Marshall European Center for Security Studies",
the Defense Language Institute English Language Center "DLIELC, Lackland AFB TX" and
"DLIELC, LACKLAND AFB TX". :func:`school_of` names the schools that train most foreign officers
with :data:`SCHOOLS` (first match wins); any other keeps its text, spaces collapsed.
"""

from __future__ import annotations

import re

__all__ = [
    "EDUCATION",
    "FUNDING",
    "NOT_EDUCATION",
    "SCHOOLS",
    "funding_of",
    "funds_education",
    "is_education",
    "kind_of",
    "names_education",
    "school_of",
]

EDUCATION = re.compile(
    r"staff\s*coll|war\s*coll|\bstaff\s+(and|&)\s+command|command\s*(and|&)\s*(general\s*)?staff"
    r"|comd\s*&\s*staff|cmd\s*(and|&)\s*gen|command\s*&\s*gen|\bc\s*&\s*gsc\b|\bcgsc|\bcgsoc"
    r"|\bac\s*&\s*sc\b|\bawc\b|\bnwc\b|intermediate level education|\bile\b|senior service"
    r"|national (war|defense) coll|\bndu\b|industrial coll|\bicaf\b|eisenhower school"
    r"|naval command coll|naval staff coll|academy|academies|universit|post\s*-?graduate"
    r"|\bnps\b|master|degree|fellows|fellowship|cadet|midshipm",
    re.IGNORECASE,
)
"""Words of a course title, a US school or a programme that make a course line education."""

NOT_EDUCATION = re.compile(
    r"inter[\s-]*american air forces? acad|\biaafa\b|law enforcement acad|\bilea\b",
    re.IGNORECASE,
)
"""Academies that teach technical or police courses: their lines stay training."""

FUNDING: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), name)
    for pattern, name in (
        (r"\bIMET\b|International Military Education", "IMET"),
        (r"\bCTFP\b|\bCTPF\b|Counter[\s-]*terrorism Fellowship", "CTFP"),
        (r"\bFMF\b|Foreign Military Financing", "FMF"),
        (r"Section\s*1004|Drug Interdiction", "Section 1004"),
        (r"Section\s*333", "Section 333"),
        (r"Section\s*1206", "Section 1206"),
        (r"Section\s*(\d+)", r"Section \1"),
        (
            r"Regional Cent|Marshall Cent|Asia[\s-]*Pacific Cent|\bAPCSS\b|\bACSS\b|Africa Cent"
            r"|\bNESA\b|Near East South Asia|\bCHDS\b|Hemispheric Defense|Perry Cent",
            "Regional Centers",
        ),
        (r"\bGPOI\b|Global Peace", "GPOI"),
        (r"\bPKO\b|Peacekeeping Op", "PKO"),
        (r"\bEIPC\b|\bEPIC\b|Enhanced International Peacekeeping", "EIPC"),
        (r"\bINCLE\b|\bINL\b|International Narcotics", "INCLE"),
        (r"USCG|Coast Guard", "DHS/USCG"),
        (r"\bASFF\b|Afghanistan Security Forces", "ASFF"),
        (r"Service Academ", "Service Academies"),
        (r"\bALP\b|Aviation Leadership", "ALP"),
        (r"\bNADR\b", "NADR"),
        (r"\bJCET\b", "JCET"),
        (
            r"Non[\s-]*SA\b|Non[\s-]*Security Assistance|Unified Command|Combatant Command",
            "Non-SA, Combatant Command",
        ),
        (r"Misc", "Misc DoD/DoS Non-SA"),
        (r"Exchange", "Exchange"),
    )
)
"""Funding programmes and authorities by a pattern of their label, first match first."""

SCHOOLS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), name)
    for pattern, name in (
        (
            r"\bDLI\s*ELC\b|Defense Language Inst\w* English",
            "Defense Language Institute English Language Center",
        ),
        (
            r"Marshall (European )?C(en)?te?r|\bGCMC\b|\bGMCSS\b",
            "George C. Marshall European Center for Security Studies",
        ),
        (
            r"\bNESA\b|Near E(ast)?[\s-]*(South|S)[\s-]*Asia",
            "Near East South Asia Center for Strategic Studies",
        ),
        (
            r"\bAPCSS\b|\bAPSS\b|Asia[\s-]*Pacific C(en)?te?r",
            "Daniel K. Inouye Asia-Pacific Center for Security Studies",
        ),
        (r"\bACSS\b|Africa Center for Strategic", "Africa Center for Strategic Studies"),
        (
            r"\bWJPC\b|\bCHDS\b|Perry Center|Hemispheric Defense Studies",
            "William J. Perry Center for Hemispheric Defense Studies",
        ),
        (
            r"\bWHINSEC\b|Western Hemis\w* Inst",
            "Western Hemisphere Institute for Security Cooperation",
        ),
        (r"Inter[\s-]*American Air Forces? Acad|\bIAAFA\b", "Inter-American Air Forces Academy"),
        (
            r"\bDIILS\b|Defense Institute of International Legal",
            "Defense Institute of International Legal Studies",
        ),
        (r"Civil[\s-]*Military Relations", "Center for Civil-Military Relations"),
        (r"Defense Resources Management Inst|\bDRMI\b", "Defense Resources Management Institute"),
        (r"Naval Postgraduate|\bNPS\b", "Naval Postgraduate School"),
        (r"\bCGSC\b|Command (&|and) General Staff Coll", "Command and General Staff College"),
        (r"Army War Coll", "US Army War College"),
        (r"National War Coll", "National War College"),
        (r"Naval Command Coll", "Naval Command College"),
        (r"Naval Staff Coll", "Naval Staff College"),
        (r"National Defense Univ", "National Defense University"),
        (
            r"Small Craft Instr\w*\s+(and|&)\s+Tech\w*\s+(Training|Trng)",
            "Naval Small Craft Instruction and Technical Training School",
        ),
        (
            r"(Coast Guard|COGARD)\b.*Yorktown",
            "Coast Guard Training Center Yorktown",
        ),
        (r"College of International Security Affairs", "College of International Security Affairs"),
        (r"\bJSOU\b|Joint Special Operations Univ", "Joint Special Operations University"),
        (r"Sergeants Major Acad", "Sergeants Major Academy"),
        (r"\bUSMA\b|Military Academy,? West Point", "US Military Academy"),
        (r"\bDISAM\b|\bDISCS\b", "Defense Institute of Security Cooperation Studies"),
        (r"Joint Forces Staff Coll", "Joint Forces Staff College"),
        (r"^(\d+(?:st|nd|rd|th))\s*SFG\s*(?:\(A\)|A)?$", r"\1 Special Forces Group (Airborne)"),
    )
)
"""The schools that train most foreign officers, by a pattern of their names, first match first."""

_STRIP = (
    re.compile(r",?\s*-?\s*\b(?:FY|Fiscal Year)\s*\d{2,4}\b.*$", re.IGNORECASE),
    re.compile(r"^(?:DOS|DOD|DoS|DoD)\s+"),
    re.compile(r"^[^,]*\bRegion,\s*[^,]+,\s*"),
    re.compile(r"\s*\(Note\s*\d+\)", re.IGNORECASE),
)


_SERVICE_ACADEMIES = re.compile(r"Service Academ", re.IGNORECASE)


def names_education(text: str) -> bool:
    """True when a course title or a US school names education (:data:`EDUCATION`)."""
    return bool(EDUCATION.search(text)) and not NOT_EDUCATION.search(text)


def funds_education(programme: str) -> bool:
    """True when a programme label pays for education: the service academies' programme.

    Only that programme: "Counterterrorism Fellowship Program" (CTFP) pays for courses of every
    sort, so a programme's own words are not read with :data:`EDUCATION`.
    """
    return bool(_SERVICE_ACADEMIES.search(programme))


def is_education(course: str, school: str, programme: str) -> bool:
    """True when a course line is education by the rule of the module docstring."""
    return names_education(course) or names_education(school) or funds_education(programme)


def kind_of(course: str, school: str, programme: str) -> str:
    """``education`` or ``training``: the kind of engagement a course line belongs to."""
    return "education" if is_education(course, school, programme) else "training"


def funding_of(programme: str) -> str:
    """The funding programme a programme label names (``IMET``, ``CTFP``, ``Section 333``...).

    Example:
        >>> funding_of("IMET-1 - Fiscal Year 2019 Department of State Training")
        'IMET'
    """
    text = programme
    for pattern in _STRIP:
        text = pattern.sub("", text).strip()
    for pattern, name in FUNDING:
        found = pattern.search(text) or pattern.search(programme)
        if found:
            return found.expand(name)
    return text or programme.strip()


def school_of(text: str) -> str:
    """The name of the US school a report's school text names (:data:`SCHOOLS`), or the text.

    Example:
        >>> school_of("GCMC")
        'George C. Marshall European Center for Security Studies'
    """
    text = " ".join(text.split())
    for pattern, name in SCHOOLS:
        found = pattern.search(text)
        if found:
            return found.expand(name)
    return text
