from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "The wider offer: events, training, places and bursaries, and practice-to-practice peer support"
