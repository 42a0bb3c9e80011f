"""`make run` and `make fixtures` load the release into an empty database only: edits stay."""

import os
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command
from reversion.models import Version

from news.models import Article
from quotes.models import Person
from tests.conftest import BASE_DIR, run_manage

pytestmark = pytest.mark.django_db

SLUG = "itu-iso-iec-joint-task-force-smart-cities"
EDIT = """
from news.models import Article
from quotes.models import Person
Article.objects.filter(slug="{slug}").update(title="Edited by staff")
Person.objects.filter(slug="sergio-mujica").update(role="Edited role")
"""
READ = """
from news.models import Article
from quotes.models import Person
print(Article.objects.get(slug="{slug}").title, "|", Person.objects.get(slug="sergio-mujica").role)
"""


def make_fixtures(database_url):
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": database_url,
    }
    return subprocess.run(
        ["make", "--no-print-directory", "fixtures"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_make_fixtures_on_a_database_staff_edited_changes_nothing(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    first = make_fixtures(database_url)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Loaded the launch release" in first.stdout
    environment = {"DATABASE_URL": database_url, "DEBUG": "on"}
    edited = run_manage("shell", "-c", EDIT.format(slug=SLUG), env=environment)
    assert edited.returncode == 0, edited.stderr

    second = make_fixtures(database_url)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "nothing loaded" in second.stdout
    read = run_manage("shell", "-c", READ.format(slug=SLUG), env=environment)
    assert read.stdout.strip().splitlines()[-1] == "Edited by staff | Edited role"


def test_the_release_is_loaded_once_with_a_first_version_of_each_item():
    output = StringIO()
    call_command("load_release", stdout=output)
    assert "Loaded the launch release" in output.getvalue()
    article = Article.objects.get(slug=SLUG)
    first = Version.objects.get_for_object(article).get()
    assert len(first.field_dict["organisations"]) == 4  # ITU, ISO, IEC and the WSC
    assert len(first.field_dict["topics"]) == article.topics.count() > 0

    Article.objects.filter(slug=SLUG).delete()
    Person.objects.filter(slug="sergio-mujica").update(role="Changed")
    call_command("load_release", stdout=output)
    assert "nothing loaded" in output.getvalue()
    assert not Article.objects.filter(slug=SLUG).exists()  # deleted by staff: stays deleted
    assert Person.objects.get(slug="sergio-mujica").role == "Changed"
