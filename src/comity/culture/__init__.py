"""Culture: briefings on partner nations, calendar checks of dates, and cultural distance.

Languages, the country's own names, weekends and time zones come from CLDR (via babel), holidays
from the ``holidays`` package, cultural dimensions from Hofstede's scores in the store; a small
documented table corrects CLDR's weekends where it cannot be right (``weekend_corrections.tsv``).
Missing data is reported as missing, never guessed.
"""

from comity.culture.briefing import Briefing, BriefingInputs, build_briefing
from comity.culture.calendar_check import (
    SEARCH_DAYS,
    CalendarCheck,
    Conflict,
    NationCalendar,
    WindowSuggestion,
    check_calendar,
    load_calendars,
)
from comity.culture.distance import (
    DIMENSION_NAMES,
    CulturalDistance,
    DistanceMatrix,
    create_distance_matrix,
    dimension_variances,
    kogut_singh,
)
from comity.culture.holiday_calendar import Holiday, HolidayCalendar, Severity, load_holidays
from comity.culture.locale_facts import (
    Language,
    NativeName,
    TimeZone,
    native_names,
    territory_languages,
    time_zones,
)
from comity.culture.render import render_html, render_pdf, render_text
from comity.culture.weekends import Weekend, weekend_of, weekends_between
from comity.culture.windows import DateWindow, validate_window

__all__ = [
    "DIMENSION_NAMES",
    "SEARCH_DAYS",
    "Briefing",
    "BriefingInputs",
    "CalendarCheck",
    "Conflict",
    "CulturalDistance",
    "DateWindow",
    "DistanceMatrix",
    "Holiday",
    "HolidayCalendar",
    "Language",
    "NationCalendar",
    "NativeName",
    "Severity",
    "TimeZone",
    "Weekend",
    "WindowSuggestion",
    "build_briefing",
    "check_calendar",
    "create_distance_matrix",
    "dimension_variances",
    "kogut_singh",
    "load_calendars",
    "load_holidays",
    "native_names",
    "render_html",
    "render_pdf",
    "render_text",
    "territory_languages",
    "time_zones",
    "validate_window",
    "weekend_of",
    "weekends_between",
]
