from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import api, pages

# Mounted at the site root, where the Twilio SDK (pointed at this site) looks for Twilio's API.
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("2010-04-01/Accounts/<str:account_sid>/Messages.json", api.messages_collection, name="messages"),
    path(
        "2010-04-01/Accounts/<str:account_sid>/Messages/<str:message_sid>.json",
        api.message_detail,
        name="message",
    ),
]

# Mounted under /sandbox/.
page_urlpatterns: list[URLPattern | URLResolver] = [
    path("", pages.number_list, name="numbers"),
    path("failures/", pages.failure_rules, name="failures"),
    path("mail/<int:email_id>/", pages.email_detail, name="email"),
    path("failures/<int:rule_id>/delete/", pages.failure_rule_delete, name="failure-delete"),
    path("<str:number>/", pages.conversation, name="conversation"),
]
