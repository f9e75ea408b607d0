# The access log's purposes gain "access request (GDPR)": a person's request to see what is held
# about them (AVG art. 15). Numbered 0009 because other branches add 0006-0008; after main was
# merged in it depends on main's latest (0007); the lead re-chains it when merging.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pleegzorg", "0008_break_glass_grant"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accesslogentry",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("care", "care for the child"),
                    ("supervision", "team supervision"),
                    ("administration", "application management"),
                    ("audit", "access control"),
                    ("access_request", "access request (GDPR)"),
                ],
                max_length=20,
                verbose_name="purpose",
            ),
        ),
    ]
