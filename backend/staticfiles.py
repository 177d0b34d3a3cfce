"""Static files in production: collected with hashed names, gzip and Brotli copies beside them."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's storage, with the imports between the patient app's ES modules rewritten.

    The app's modules import each other by relative name (``import * as api from "./api.js"``).
    Django leaves those alone unless told to, and then a hashed ``main.<hash>.js`` would import
    the unhashed ``api.js``: a file the service worker never cached (the app would not open
    offline) and that a browser may keep from an older deploy. With this on, collectstatic
    rewrites each import to the hashed name.
    """

    support_js_module_import_aggregation = True
