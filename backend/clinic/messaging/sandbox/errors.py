"""Twilio's REST errors, as the sandbox raises and answers them."""

from __future__ import annotations

# Twilio's wording for the codes the sandbox produces (the codes a failure rule names may be others).
TWILIO_ERROR_MESSAGES: dict[int, str] = {
    20001: "Invalid parameter",
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    21211: "The 'To' number is not a valid phone number.",
    21212: "The 'From' number is not a valid phone number, shortcode, or alphanumeric sender ID.",
    21602: "Message body is required.",
    21603: "A 'From' or 'MessagingServiceSid' parameter is required to send a message.",
    21604: "A 'To' phone number is required.",
    21609: "Invalid 'StatusCallback'.",
    21610: "Attempt to send to unsubscribed recipient",
    21611: "This 'From' number has exceeded the maximum number of queued messages",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
    30001: "Queue overflow",
    30003: "Unreachable destination handset",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
}


def twilio_error_message(code: int) -> str:
    return TWILIO_ERROR_MESSAGES.get(code, f"Twilio error {code}")


def twilio_error_more_info(code: int) -> str:
    return f"https://www.twilio.com/docs/errors/{code}"


class TwilioApiError(Exception):
    """A refusal the sandbox API answers with Twilio's error body."""

    def __init__(self, *, status: int, code: int, message: str | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message or twilio_error_message(code)
        super().__init__(f"{status} {code} {self.message}")

    def as_body(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "more_info": twilio_error_more_info(self.code),
            "status": self.status,
        }
