"""
A large synthetic archive for measuring the site (`make bench`), written with
bulk_create so it takes seconds. Never run it on a database with real content:
it refuses unless the database holds nothing but the release fixtures.
"""

import hashlib
import random
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from events.models import Event, Registration
from news.models import Article, Topic
from quotes.models import Person, Quote
from taskforce.models import Organisation

LARGE = {
    "articles": 10_000,
    "quotes": 30_000,
    "people": 200,
    "events": 1_000,
    "registrations": 100_000,
}
BENCH_EVENT_SLUG = "bench-open-event"
BENCH_LIMITED_EVENT_SLUG = "bench-limited-event"
VOCABULARY = (
    "cities standards digital transformation resilience climate mobility energy water data "
    "interoperability citizens services infrastructure sustainable inclusive safety health "
    "innovation governance procurement sensors networks housing transport buildings planning "
    "cooperation stakeholders municipalities recovery emergency management technology"
)
WORDS = VOCABULARY.split()
TOPICS = [
    "Urban mobility",
    "Energy",
    "Water",
    "Buildings",
    "Data governance",
    "Climate action",
    "Public safety",
    "Health",
    "Interoperability",
    "Procurement",
    "Accessibility",
    "Resilience",
]
BATCH = 2_000


def sentence(rng, words=14):
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(4))


def archive_articles(rng, now):
    """
    The archive's articles, unsaved: one every 8 hours back from now, every tenth a
    draft. Each repeats the vocabulary, so every common word matches nearly all of them.
    """
    return (
        Article(
            title=f"{sentence(rng, 7)[:-1]} ({i})",
            slug=f"archive-{i}",
            summary=sentence(rng, 25),
            body="".join(f"<p>{paragraph(rng)}</p>" for _ in range(6)),
            status=Article.Status.PUBLISHED if i % 10 else Article.Status.DRAFT,
            publish_at=now - timedelta(hours=i * 8 + 1),
            created=now,
            updated=now,
        )
        for i in range(LARGE["articles"])
    )


class Command(BaseCommand):
    help = "Fill the database with a synthetic archive for benchmarks (bulk_create)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--large", action="store_true", help="Articles, quotes, events, registrations at scale."
        )
        parser.add_argument(
            "--bench-event",
            action="store_true",
            help="Upcoming events for registrations: one with no seat limit, one with a limit.",
        )
        parser.add_argument("--seed", type=int, default=2020)

    @transaction.atomic
    def handle(self, *args, large, bench_event, seed, **options):
        if Article.objects.count() > 1 or Event.objects.count() > 10:
            raise CommandError(
                "This database already has content; use an empty one (make bench does)."
            )
        rng = random.Random(seed)
        now = timezone.now()
        if bench_event:
            self.create_bench_event(now)
        if large:
            self.create_archive(rng, now)
            if connection.vendor == "postgresql":
                # A live database has planner statistics and a visibility map (autovacuum),
                # which lets counts be read from an index alone; give the new rows both.
                transaction.on_commit(lambda: connection.cursor().execute("VACUUM ANALYZE"))

    def create_bench_event(self, now):
        event, _ = Event.objects.update_or_create(
            slug=BENCH_EVENT_SLUG,
            defaults={
                "title": "Open forum on smart city standards",
                "summary": "An online forum with no seat limit.",
                "body": "A forum open to everyone working on smart city standards.",
                "start": now + timedelta(days=30),
                "end": now + timedelta(days=30, hours=2),
                "time_zone": "Europe/Zurich",
                "is_online": True,
                "online_url": "https://meet.example.org/forum",
                "capacity": None,
                "status": Event.Status.PUBLISHED,
            },
        )
        event.organisers.set(Organisation.objects.all())
        self.stdout.write(f"Bench event: {event.get_absolute_url()}")
        # Every registration changes the seats it shows (a rush on a limited event).
        limited, _ = Event.objects.update_or_create(
            slug=BENCH_LIMITED_EVENT_SLUG,
            defaults={
                "title": "Smart city standards summit",
                "summary": "A summit with a seat limit.",
                "body": "Seats go in order of arrival.",
                "start": now + timedelta(days=20),
                "end": now + timedelta(days=20, hours=6),
                "time_zone": "Europe/Zurich",
                "venue_name": "Geneva International Conference Centre",
                "capacity": 1_000_000,
                "status": Event.Status.PUBLISHED,
            },
        )
        self.stdout.write(f"Bench event with a seat limit: {limited.get_absolute_url()}")

    def create_archive(self, rng, now):
        organisations = list(Organisation.objects.all())
        topics = list(Topic.objects.all()) + Topic.objects.bulk_create(
            Topic(name=name, slug=f"archive-{i}") for i, name in enumerate(TOPICS)
        )
        smart_cities = Topic.objects.get(slug="smart-cities")

        articles = Article.objects.bulk_create(archive_articles(rng, now), batch_size=BATCH)
        Article.topics.through.objects.bulk_create(
            (
                Article.topics.through(article_id=article.pk, topic_id=topic.pk)
                for i, article in enumerate(articles)
                for topic in {
                    rng.choice(topics),
                    smart_cities if i % 5 == 0 else rng.choice(topics),
                }
            ),
            batch_size=BATCH,
        )
        Article.organisations.through.objects.bulk_create(
            (
                Article.organisations.through(
                    article_id=article.pk, organisation_id=rng.choice(organisations).pk
                )
                for article in articles
            ),
            batch_size=BATCH,
        )

        people = Person.objects.bulk_create(
            Person(
                name=f"Speaker {i}",
                slug=f"speaker-{i}",
                role=rng.choice(["Director", "Chair", "Convenor", "Head of standards", "Mayor"]),
                organisation=rng.choice(organisations),
            )
            for i in range(LARGE["people"])
        )
        Quote.objects.bulk_create(
            (
                Quote(
                    text=sentence(rng, 30),
                    person=(person := rng.choice(people)),
                    speaker_role=person.role,
                    article=rng.choice(articles),
                    order=i,
                    created=now,
                    updated=now,
                )
                for i in range(LARGE["quotes"])
            ),
            batch_size=BATCH,
        )

        events = Event.objects.bulk_create(
            (
                Event(
                    title=f"Smart city standards workshop {i}",
                    slug=f"archive-workshop-{i}",
                    summary=sentence(rng, 20),
                    body="\n\n".join(paragraph(rng) for _ in range(3)),
                    start=(start := now + timedelta(days=100 - i, hours=rng.randint(0, 12))),
                    end=start + timedelta(hours=3),
                    time_zone=rng.choice(
                        ["Europe/Zurich", "Europe/Paris", "Asia/Singapore", "UTC"]
                    ),
                    is_online=i % 3 == 0,
                    venue_name="" if i % 3 == 0 else "Conference centre",
                    capacity=rng.choice([None, 100, 200]),
                    status=Event.Status.PUBLISHED,
                    created=now,
                    updated=now,
                )
                for i in range(LARGE["events"])
            ),
            batch_size=BATCH,
        )
        Event.organisers.through.objects.bulk_create(
            Event.organisers.through(
                event_id=event.pk, organisation_id=rng.choice(organisations).pk
            )
            for event in events
        )
        per_event = LARGE["registrations"] // len(events)
        Registration.objects.bulk_create(
            (
                Registration(
                    event=event,
                    name=f"Participant {n}",
                    email=f"participant-{n}@example.org",
                    organisation="Example city",
                    consent=True,
                    consented_at=now,
                    status=Registration.Status.CONFIRMED,
                    token_hash=hashlib.sha256(f"{event.pk}-{n}".encode()).hexdigest(),
                    created=now,
                )
                for event in events
                for n in range(per_event)
            ),
            batch_size=BATCH,
        )
        self.stdout.write(
            f"Archive: {len(articles)} articles, {Quote.objects.count()} quotes, "
            f"{len(people)} people, {len(events)} events, "
            f"{Registration.objects.count()} registrations"
        )
