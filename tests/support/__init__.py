"""Helpers shared by the tests and the benchmarks (bench/), one module per responsibility.

- clock: the clinic's time zone, local times, a worker's clock moved with the test's (time-machine)
- phones: the phone numbers tests and benchmarks text
- processes: Celery workers and beat, a web server, a Redis of one's own, as real processes; waiting
- stack: the processes of one end-to-end test, on the test database
- sandbox: the app as Twilio sees it (signed webhooks, a patient's texts) and what the SMS sandbox received
- provider_double: a stand-in for Twilio at the HTTP boundary that answers the way Twilio sometimes does
- inquiries: the public inquiry form as a client sends it
- settings_env: process environments for the production and the embedded-default settings
- browser: numbered screenshots of a browser story

Fixtures live in conftest.py files; nothing is ever imported from a conftest. processes and phones import
no Django, so a benchmark can import them before it sets Django up.
"""
