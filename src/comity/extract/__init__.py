"""From text to records: read press releases and news, propose draft engagements for review.

A passage (:class:`~comity.extract.draft.Passage`) goes in; a
:class:`~comity.extract.draft.Draft` comes out: a proposed kind (or none, and why), title, host,
participants with roles, dates at the precision the text gives, personnel and location, each
with the span of text it came from and a confidence. Nothing is stored here: drafts wait for a
person in the review queue (:mod:`comity.services.drafts`). Everything runs offline.

- :mod:`~comity.extract.readers` (with :mod:`~comity.extract.pages`): passages from text, JSON
  lines, CSV, web pages and feeds;
- :mod:`~comity.extract.nations_in_text` and :mod:`~comity.extract.mentions`: the nations,
  places, agencies and programmes a passage names, and which nations take part;
- :mod:`~comity.extract.dates_in_text` and :mod:`~comity.extract.periods`: dates and the
  engagement's start and end;
- :mod:`~comity.extract.rules` and :mod:`~comity.extract.kinds`: the traps, the rules and the
  model of kinds (trained by :mod:`~comity.extract.train`);
- :mod:`~comity.extract.fields`: host, roles, personnel, title and place;
- :mod:`~comity.extract.pipeline`: all of it, passage by passage, in one process or several;
- :mod:`~comity.extract.scoring`: the figures of drafts against the labelled set.

``docs/extraction.md`` describes the method.
"""
