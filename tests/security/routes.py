"""Every route the URL configuration serves, with the HTTP methods its view answers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Methods a client can send that a view might answer; HEAD and OPTIONS follow GET and are read-only.
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    route: str  # "/api/v1/appointments/{pk}/cancel/", placeholders in braces
    method: str  # upper case

    def __str__(self) -> str:
        return f"{self.method} {self.route}"

    def path(self, values: dict[str, str]) -> str:
        return self.route.format(**values)


def _readable(route: str) -> str:
    """Turn Django's path converters and DRF's router regexes into {name} placeholders."""
    route = re.sub(r"\\\.\(\?P<format>\[a-z0-9\]\+\)/\?", ".{format}", route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    return route.replace("^", "").replace("$", "").replace("\\", "")


def _methods(pattern: URLPattern) -> list[str]:
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF viewset: the router says which methods map to actions
        return sorted(method.upper() for method in actions)
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:  # a plain function view decides for itself
        return [method.upper() for method in METHODS]
    return sorted(method.upper() for method in METHODS if hasattr(view_class, method))


def routes_all() -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            else:
                found.append((_readable(route), pattern))

    walk(get_resolver().url_patterns, "/")
    return found


def api_operations() -> list[Operation]:
    """Each method of each route under /api/, as the URL configuration declares it today."""
    return [
        Operation(route=route, method=method)
        for route, pattern in routes_all()
        if route.startswith("/api/")
        for method in _methods(pattern)
    ]
