from __future__ import annotations

from django import forms

from .models import SandboxFailureRule
from .services import BODY_MAX_CHARS, phone_is_e164


def _e164_clean(value: str) -> str:
    value = value.strip()
    if value and not phone_is_e164(value):
        raise forms.ValidationError("Use E.164 form: +, country code and number, e.g. +15551234567.")
    return value


class NumberOpenForm(forms.Form):
    number = forms.CharField(max_length=16, label="Phone number (E.164)")

    def clean_number(self) -> str:
        return _e164_clean(self.cleaned_data["number"])


class PatientReplyForm(forms.Form):
    body = forms.CharField(
        max_length=BODY_MAX_CHARS, label="Text as this patient", widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )


class FailureRuleForm(forms.ModelForm[SandboxFailureRule]):
    class Meta:
        model = SandboxFailureRule
        fields = ["to_number", "kind", "fraction", "http_status", "error_code", "delivery_status", "remaining"]

    def clean_to_number(self) -> str:
        return _e164_clean(self.cleaned_data["to_number"])
