"""From text to records: read press releases and news, propose draft engagements for review.

A passage (:class:`~comity.extract.draft.Passage`) goes in; a
:class:`~comity.extract.draft.Draft` comes out: a proposed kind (or none), title, host,
participants with roles, dates at the precision the text gives, personnel and location, each
with the span of text it came from and a confidence. Nothing is stored here: drafts wait for a
person in the review queue (:mod:`comity.services.drafts`). Everything runs offline.
"""
