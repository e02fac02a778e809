from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from clinic.accounts.api import MeView, TokenObtainView, TokenRevokeView
from clinic.checkins.urls import api_urlpatterns as checkins_api
from clinic.intake.api.public import InquirySubmitView
from clinic.intake.api.staff import InquiryViewSet
from clinic.measures.urls import api_urlpatterns as measures_api
from clinic.measures.urls import page_urlpatterns as measures_pages
from clinic.measures.urls_fhir import api_urlpatterns as measures_fhir_api
from clinic.messaging.api import InboxHandledView, InboxView, PatientConversationView
from clinic.messaging.email.views import email_unsubscribe_view
from clinic.messaging.webhooks import twilio_inbound_sms, twilio_status_callback
from clinic.patients.urls import api_urlpatterns as patients_api
from clinic.rems.urls import api_urlpatterns as rems_api
from clinic.scheduling.calendar_urls import api_urlpatterns as calendar_api
from clinic.scheduling.urls import api_urlpatterns as scheduling_api
from clinic.todos.urls import api_urlpatterns as todos_api
from clinic.waitlist.urls import api_urlpatterns as waitlist_api
from config.health import healthz, readyz

# API clients get JSON for a URL that matches no route (a path id that is not a number, say).
handler404 = "clinic.core.views.not_found"

admin.site.site_header = "Clinic back office"
admin.site.site_title = "Clinic back office"
admin.site.index_title = "Triage, patients and scheduling"
# The home page opens with any open urgent alert and any gap in the on-call rota (checkins, oncall).
admin.site.index_template = "admin/clinic_index.html"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# No `.json` suffix routes: the API speaks JSON only, and the suffixed actions answered 500.
router.include_format_suffixes = False
router.register("staff/inquiries", InquiryViewSet, basename="staff-inquiry")

api_v1: list[URLPattern | URLResolver] = [
    path("inquiries/", InquirySubmitView.as_view(), name="inquiry-submit"),
    path("auth/token/", TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="auth-token-revoke"),
    path("auth/me/", MeView.as_view(), name="auth-me"),
    path("patients/<int:patient_id>/messages/", PatientConversationView.as_view(), name="patient-messages"),
    path("messaging/inbox/", InboxView.as_view(), name="messaging-inbox"),
    path("messaging/inbox/<int:message_id>/handled/", InboxHandledView.as_view(), name="messaging-inbox-handled"),
    *patients_api,
    *scheduling_api,
    *calendar_api,
    *checkins_api,
    *rems_api,
    *measures_api,
    *todos_api,
    *waitlist_api,
    *measures_fhir_api,
    path("", include(router.urls)),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("contact/", include("clinic.intake.urls")),
    # The self-booked first consultation: the link in the acknowledgement, and the thanks page's choice.
    path("b/", include("clinic.selfbooking.urls")),
    # The contact page's language switch: Django's set_language (POST), which returns to the page.
    path("i18n/", include("django.conf.urls.i18n")),
    path("webhooks/twilio/sms/", twilio_inbound_sms, name="twilio-inbound-sms"),
    path("webhooks/twilio/status/", twilio_status_callback, name="twilio-status"),
    path("email/unsubscribe/<str:token>/", email_unsubscribe_view, name="email-unsubscribe"),
    # A session's own page, from the link in its reminders: short, it is sent in texts.
    path("v/", include("clinic.visitlinks.urls")),
    path("admin/", admin.site.urls),
    *measures_pages,
]

if settings.SMS_SANDBOX_ENABLED:
    from clinic.messaging.sandbox.urls import api_urlpatterns, page_urlpatterns

    urlpatterns += [
        path("", include((api_urlpatterns, "sms_sandbox_api"))),
        path("sandbox/", include((page_urlpatterns, "sms_sandbox"))),
    ]
