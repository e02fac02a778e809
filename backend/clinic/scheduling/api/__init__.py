"""The staff scheduling API: appointments, availability, series and the lists staff book from."""
