"""Staff tasks move to their own app (clinic.todos): the model leaves this app's state, its table and rows stay.

todos 0001 takes the model over on the same table (`checkins_stafftask`), and todos 0002 moves its
content type, so the permissions granted on it keep working.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0007_checkin_holds_per_patient_of_an_alert"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="StaffTask")],
            database_operations=[],
        ),
    ]
