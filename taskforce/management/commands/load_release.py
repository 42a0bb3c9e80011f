import json
from pathlib import Path

import reversion
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def fixture_files():
    return sorted(str(path) for path in FIXTURES.glob("*.json"))


def release_models(files):
    """The kinds of rows the release holds (organisations, articles, people, …)."""
    labels = {entry["model"] for name in files for entry in json.loads(Path(name).read_text())}
    return [apps.get_model(label) for label in sorted(labels)]


class Command(BaseCommand):
    help = (
        "Load the launch release (fixtures/) into a database that has none of its content "
        "yet. On any other database it changes nothing, so what staff edited stays as it is."
    )

    def handle(self, *args, **options):
        files = fixture_files()
        if not files:
            return
        present = [model for model in release_models(files) if model._base_manager.exists()]
        if present:
            names = ", ".join(str(model._meta.verbose_name_plural) for model in present)
            self.stdout.write(f"The database already has content ({names}): nothing loaded.")
            return
        with transaction.atomic(), reversion.create_revision():
            reversion.set_comment("The launch release, as first loaded.")
            call_command("loaddata", *files, verbosity=0)
            # Each item's first version, as it stands once every relation is loaded.
            for model in release_models(files):
                if reversion.is_registered(model):
                    for obj in model._base_manager.all():
                        reversion.add_to_revision(obj)
        self.stdout.write(self.style.SUCCESS(f"Loaded the launch release from {len(files)} files."))
