"""Blank the token text simplejwt wrote into each outstanding-token row before
``accounts.tokens.RefreshToken`` stopped writing it: a copy of the database must hold no
refresh token that could be replayed.

A token is recognised by its ``jti``, which stays, so every token keeps working (or keeps
being refused) exactly as before. Going back does nothing: the text cannot be recovered, and
nothing ever read it.
"""

from django.db import migrations


def forget_token_text(apps, schema_editor):
    OutstandingToken = apps.get_model("token_blacklist", "OutstandingToken")
    OutstandingToken.objects.exclude(token="").update(token="")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_care_link_frozen_at_end"),
        ("token_blacklist", "0013_alter_blacklistedtoken_options_and_more"),
    ]

    operations = [migrations.RunPython(forget_token_text, migrations.RunPython.noop, elidable=False)]
