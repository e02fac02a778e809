"""Email, the outbox's second channel: addresses and consent, wording, sending, unsubscribing."""
