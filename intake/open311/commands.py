"""``flask open311 issue-key NAME`` and ``revoke-key``: API keys for partner systems."""
import click
from flask.cli import AppGroup

from core import audit
from core.extensions import db
from intake.open311.models import ApiClient

open311 = AppGroup("open311", help="Open311 API keys.")


@open311.command("issue-key")
@click.argument("name")
def issue_key(name):
    """Issue an API key for NAME (a partner system or app); prints it once."""
    client, key = ApiClient.issue(name.strip()[:120])
    db.session.add(client)
    db.session.flush()
    audit.record("api_key_issued", target=client, name=client.name)
    db.session.commit()
    click.echo(f"API key for {client.name} (client {client.id}); it is shown this once:\n{key}")


@open311.command("revoke-key")
@click.argument("client_id", type=int)
def revoke_key(client_id):
    """Stop the key of client CLIENT_ID working."""
    client = db.session.get(ApiClient, client_id)
    if client is None:
        raise click.ClickException(f"There is no API client {client_id}.")
    client.active = False
    audit.record("api_key_revoked", target=client)
    db.session.commit()
    click.echo(f"Revoked the key of {client.name}.")


def init_app(app):
    app.cli.add_command(open311)
