"""The therapist's web pages at ``/app/``: server-rendered templates over care's selectors.

Nothing below imports this app. Every page about a patient reads through ``care.selectors``
or ``care.brief`` (which check the active link and write the access-log row), inside one
transaction, as the API does. No JavaScript: every page works with it off.

This is the first slice of issue 11: sign-in, roster, patient page, brief.

TODO (issue 11, next slices):
- The second factor for therapists: TOTP through django-otp, enrolled here with a QR code
  rendered as SVG on our server, asked at every sign-in once enrolled, and recovery codes.
  Until then a therapist signs in with e-mail and password alone.
- The API's per-address and per-e-mail sign-in throttle (django-axes' lockout already applies).
- Charts and sparklines (server-drawn SVG), the shared entries and the sessions pages,
  inviting a patient from the roster.
- django-csp in place of ``dashboard.security.ContentSecurityPolicyMiddleware``.
"""
