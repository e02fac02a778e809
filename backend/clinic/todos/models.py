from __future__ import annotations

from django.conf import settings
from django.db import models


class StaffTask(models.Model):
    """Something a person at the clinic must do for a patient: call back, check a ride, read an answer.

    Other apps open tasks through `services.staff_task_open`; this app knows none of them.
    """

    class Kind(models.TextChoices):
        RESCHEDULE_REQUEST = "reschedule_request", "Patient asked to reschedule"
        DRIVER_UNCONFIRMED = "driver_unconfirmed", "Ride home not confirmed"
        UNPARSED_ANSWER = "unparsed_answer", "Check-in answer needs reading"
        NO_ANSWER = "no_answer", "Check-in not answered"
        UNMATCHED_CONFIRMATION = "unmatched_confirmation", "Reply with nothing to confirm"
        REMS_FORM_DUE = "rems_form_due", "REMS monitoring form due"

    # Tasks about check-in answers are for clinicians only: front desk never sees their content.
    CLINICAL_KINDS = (Kind.UNPARSED_ANSWER, Kind.NO_ANSWER)

    kind = models.CharField(max_length=24, choices=Kind.choices)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="staff_tasks")
    # Named by label, not imported: a task may be about a session, and goes when its session is deleted.
    appointment = models.ForeignKey(
        "scheduling.Appointment", null=True, blank=True, on_delete=models.CASCADE, related_name="staff_tasks"
    )
    # One open task per cause: the same key twice opens it once.
    key = models.CharField(max_length=120, unique=True)
    detail = models.CharField(max_length=200, blank=True, help_text="What to do; never the patient's words.")
    is_clinical = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        # The table was made when tasks lived in the check-ins app; it moved here with its rows.
        db_table = "checkins_stafftask"
        ordering = ["done_at", "-created_at"]
        indexes = [models.Index(fields=["done_at", "is_clinical"], name="staff_task_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (patient #{self.patient_id})"
