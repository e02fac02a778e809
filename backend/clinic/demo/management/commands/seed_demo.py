from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinic.demo.services import demo_data_load


class Command(BaseCommand):
    help = "Load the demo clinic (providers, rooms, session types) and print the staff logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Load even when DEBUG is off.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Refusing to load demo logins with DEBUG off; pass --force if you mean it.")
        logins = demo_data_load()
        self.stdout.write(self.style.SUCCESS("Demo clinic loaded. Staff logins (demo only):"))
        for login in logins:
            self.stdout.write(f"  {login.role:<13} {login.username:<10} password: {login.password}")
