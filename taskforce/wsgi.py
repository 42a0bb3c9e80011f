import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taskforce.settings")
django.setup(set_prefix=False)

from taskforce.handlers import SiteWSGIHandler  # noqa: E402  (needs the settings loaded)

application = SiteWSGIHandler()
