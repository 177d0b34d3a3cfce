"""The therapist's web pages at ``/app/``: server-rendered templates over care's selectors.

Nothing below imports this app. Every page about a patient reads through ``care.selectors``
or ``care.brief`` (which check the active link and write the access-log row), inside one
transaction, as the API does. No JavaScript: every page works with it off.

Pages: sign-in (with a TOTP second factor once enrolled, ``auth_views`` and ``two_factor``),
the roster, a patient, the brief (``views``), sessions and their drafts, invites
(``sessions``). Charts are placed by ``charts`` and drawn by templates as SVG.
"""
