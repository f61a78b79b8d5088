"""An operator with a signing key and the system account (strict signing keys), an account APP with a
signing key, a user that may send and receive on app.>, and the config of a NATS server that trusts
the operator. Stack config: host (127.0.0.1) and port (4222) of the server; servers (a JSON list of
nats:// URLs APP is pushed to, empty until the server runs)."""

import pulumi
import pulumi_nats_auth as nats

config = pulumi.Config()
host = config.get("host") or "127.0.0.1"
port = config.get_int("port") or 4222
servers = config.get_object("servers") or []

# nsc add operator --generate-signing-key --sys: the operator, its signing key, the SYS account and
# its user, in one component.
op = nats.OperatorWithSystemAccount(
    "operator",
    name=pulumi.get_project(),
    generate_signing_key=True,
    strict_signing_key_usage=True,
)

# nsc generate config --nats-resolver: the server trusts the operator and runs a full resolver;
# allow_delete lets `pulumi destroy` delete APP from it. Paths are relative to this folder.
server = nats.ServerConfig(
    "server",
    path="out/server.conf",
    host=host,
    port=port,
    operator=op.operator_jwt,
    system_account=op.system_account_public_key,
    resolver={"type": "full", "dir": "out/jwt", "allow_delete": True},
    preload_accounts=[{"public_key": op.system_account_public_key, "jwt": op.system_account_jwt}],
)

# The app account, with a signing key for its users, pushed to `servers` (waiting up to 10 s for a
# server that is still starting).
app_key = nats.KeyPair("app-key", kind="account")
app_sk = nats.SigningKey("app-sk", owner="account")
app = nats.Account(
    "APP",
    name="APP",
    seed=app_key.seed,
    signer_seed=op.signing_key_seed,
    operator_public_key=op.operator_public_key,
    operator_signing_keys=[op.signing_key_public_key],
    operator_strict=True,
    signing_keys=[app_sk.ref],
    limits={"conn": 100},
    resolver={"servers": servers, "creds": op.system_user_creds, "wait_ms": 10000},
    opts=pulumi.ResourceOptions(depends_on=[server]),
)

# A user that may send and receive on app.> (and get replies), its creds in out/app-user.creds (0600).
user = nats.User(
    "app-user",
    name="app-user",
    signer_seed=app_sk.seed,
    account_public_key=app_key.public_key,
    account_signing_keys=[app_sk.ref],
    operator_strict=True,
    pub={"allow": ["app.>", "_INBOX.>"]},
    sub={"allow": ["app.>", "_INBOX.>"]},
)
creds = nats.CredsFile("app-user-creds", path="out/app-user.creds", creds=user.creds)

pulumi.export("serverConfigPath", server.path)
pulumi.export("appPushedTo", app.pushed_to)
pulumi.export("credsPath", creds.path)
