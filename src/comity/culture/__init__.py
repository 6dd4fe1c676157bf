"""Culture: briefings on partner nations, calendar checks of dates, and cultural distance.

Languages, the country's own names, weekends and time zones come from CLDR (via babel), holidays
from the ``holidays`` package, seasons such as Ramadan and Lent from calendar libraries
(``hijridate``, ``convertdate``, ``lunardate``), cultural dimensions from Hofstede's scores in
the store; a small documented table corrects CLDR's weekends where it cannot be right
(``weekend_corrections.tsv``).
Missing data is reported as missing, never guessed.

The names below are loaded on first use (PEP 562), so that importing one module of the package
(such as :mod:`comity.culture.windows`) does not load babel, holidays and jinja2 with the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comity.lazy import lazy_names

if TYPE_CHECKING:
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
        MINIMUM_DIMENSIONS,
        CulturalDistance,
        DistanceMatrix,
        create_distance_matrix,
        dimension_variances,
        kogut_singh,
        median_distance,
    )
    from comity.culture.engagement_titles import is_source_id, readable_title
    from comity.culture.hofstede_section import DistanceVerdict, judge_distance
    from comity.culture.holiday_calendar import Holiday, HolidayCalendar, Severity, load_holidays
    from comity.culture.locale_facts import (
        Language,
        NativeName,
        TimeZone,
        native_names,
        territory_languages,
        time_zones,
    )
    from comity.culture.marking import PrintMarking, create_print_marking, read_data_version
    from comity.culture.observances import SEASONS, Observance, Season, find_observances
    from comity.culture.render import render_html, render_pdf, render_text
    from comity.culture.weekends import Weekend, weekend_of, weekends_between
    from comity.culture.windows import DateWindow, validate_window

__all__ = [
    "DIMENSION_NAMES",
    "MINIMUM_DIMENSIONS",
    "SEARCH_DAYS",
    "SEASONS",
    "Briefing",
    "BriefingInputs",
    "CalendarCheck",
    "Conflict",
    "CulturalDistance",
    "DateWindow",
    "DistanceMatrix",
    "DistanceVerdict",
    "Holiday",
    "HolidayCalendar",
    "Language",
    "NationCalendar",
    "NativeName",
    "Observance",
    "PrintMarking",
    "Season",
    "Severity",
    "TimeZone",
    "Weekend",
    "WindowSuggestion",
    "build_briefing",
    "check_calendar",
    "create_distance_matrix",
    "create_print_marking",
    "dimension_variances",
    "find_observances",
    "is_source_id",
    "judge_distance",
    "kogut_singh",
    "load_calendars",
    "load_holidays",
    "median_distance",
    "native_names",
    "read_data_version",
    "readable_title",
    "render_html",
    "render_pdf",
    "render_text",
    "territory_languages",
    "time_zones",
    "validate_window",
    "weekend_of",
    "weekends_between",
]

# Where each public name lives.
_HOMES = {
    "Briefing": "comity.culture.briefing",
    "BriefingInputs": "comity.culture.briefing",
    "build_briefing": "comity.culture.briefing",
    "SEARCH_DAYS": "comity.culture.calendar_check",
    "CalendarCheck": "comity.culture.calendar_check",
    "Conflict": "comity.culture.calendar_check",
    "NationCalendar": "comity.culture.calendar_check",
    "WindowSuggestion": "comity.culture.calendar_check",
    "check_calendar": "comity.culture.calendar_check",
    "load_calendars": "comity.culture.calendar_check",
    "DIMENSION_NAMES": "comity.culture.distance",
    "MINIMUM_DIMENSIONS": "comity.culture.distance",
    "median_distance": "comity.culture.distance",
    "is_source_id": "comity.culture.engagement_titles",
    "readable_title": "comity.culture.engagement_titles",
    "DistanceVerdict": "comity.culture.hofstede_section",
    "judge_distance": "comity.culture.hofstede_section",
    "PrintMarking": "comity.culture.marking",
    "create_print_marking": "comity.culture.marking",
    "read_data_version": "comity.culture.marking",
    "SEASONS": "comity.culture.observances",
    "Observance": "comity.culture.observances",
    "Season": "comity.culture.observances",
    "find_observances": "comity.culture.observances",
    "CulturalDistance": "comity.culture.distance",
    "DistanceMatrix": "comity.culture.distance",
    "create_distance_matrix": "comity.culture.distance",
    "dimension_variances": "comity.culture.distance",
    "kogut_singh": "comity.culture.distance",
    "Holiday": "comity.culture.holiday_calendar",
    "HolidayCalendar": "comity.culture.holiday_calendar",
    "Severity": "comity.culture.holiday_calendar",
    "load_holidays": "comity.culture.holiday_calendar",
    "Language": "comity.culture.locale_facts",
    "NativeName": "comity.culture.locale_facts",
    "TimeZone": "comity.culture.locale_facts",
    "native_names": "comity.culture.locale_facts",
    "territory_languages": "comity.culture.locale_facts",
    "time_zones": "comity.culture.locale_facts",
    "render_html": "comity.culture.render",
    "render_pdf": "comity.culture.render",
    "render_text": "comity.culture.render",
    "Weekend": "comity.culture.weekends",
    "weekend_of": "comity.culture.weekends",
    "weekends_between": "comity.culture.weekends",
    "DateWindow": "comity.culture.windows",
    "validate_window": "comity.culture.windows",
}


__getattr__, __dir__ = lazy_names(__name__, _HOMES, globals(), __all__)
