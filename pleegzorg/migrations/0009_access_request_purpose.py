# The access log's purposes gain "access request (GDPR)": a person's request to see what is held
# about them (AVG art. 15). Numbered 0009 and depending on 0005 because other branches add
# 0006-0008; the lead re-chains the dependencies when merging.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pleegzorg", "0005_user_fte"),
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
