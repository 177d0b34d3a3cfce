import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
application = get_wsgi_application()

# What is alive once the app is loaded (Django, the apps, the URL conf) lives as long as the
# process: moved out of the collector's reach, a full collection during a request scans only
# what requests made. A roster of 500 patients allocates enough rows to trigger several; they
# cost ~100 ms of its ~380 ms when they also scan everything loaded (bench/README.md).
gc.collect()  # what import left as garbage goes first, rather than being kept for good
gc.freeze()
