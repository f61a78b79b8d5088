"""The seed scenario from Python: an operator with a signing key and a system account (strict
signing keys), an account with a signing key pushed to the servers' resolver, a user of it, and the
config files of a main server and of a leaf server bound to the account. Run with `pulumi up`
(README, Install: Python); `servers` (a JSON list of nats:// URLs) is empty until the servers run;
`port`, `leafPort` and `leafnodePort` (4222, 4223, 7422) are the main server's, the leaf's client
port and the main's leaf node port."""

import pulumi
import pulumi_nats_auth as nats

config = pulumi.Config()
servers = config.get_object("servers") or []
port = config.get_int("port") or 4222
leaf_port = config.get_int("leafPort") or 4223
leafnode_port = config.get_int("leafnodePort") or 7422
conn_limit = config.get_int("connLimit") or 100

# nsc add operator --generate-signing-key --sys: the operator, its signing key, the SYS account and
# its user, in one component (served by the plugin: every language gets the same).
local = nats.OperatorWithSystemAccount(
    "local", name="local", generate_signing_key=True, strict_signing_key_usage=True
)

# An account with limits and a signing key for its users, pushed to the resolver. Its identity comes
# from a KeyPair: APP lists its users in `members`, so they cannot read its key from APP.
app_identity = nats.KeyPair("app-identity", kind="account")
app_key = nats.SigningKey("app-sk", owner="account")
# A user, signed by the account's signing key, that may publish and subscribe on orders.> (and answer
# requests). APP lists
# it in `members`: set withUser=false and `pulumi up` revokes its key in APP's JWT (its connections
# drop) before the user goes.
members = []
user = None
if config.get("withUser") != "false":
    user_key = nats.KeyPair("orders-key", kind="user")
    user = nats.User(
        "orders",
        name="orders",
        seed=user_key.seed,
        signer_seed=app_key.seed,
        account_public_key=app_identity.public_key,
        account_signing_keys=[app_key.public_key],
        operator_strict=True,
        pub={"allow": ["orders.>", "_INBOX.>"]},
        sub={"allow": ["orders.>", "_INBOX.>"]},
    )
    members.append({"urn": user.urn, "public_key": user_key.public_key, "name": "orders"})

app = nats.Account(
    "APP",
    name="APP",
    seed=app_identity.seed,
    signer_seed=local.signing_key_seed,
    operator_public_key=local.operator_public_key,
    operator_signing_keys=[local.signing_key_public_key],
    operator_strict=True,
    signing_keys=[app_key.public_key],
    members=members,
    limits={"conn": conn_limit, "payload": 1024 * 1024},
    resolver={"servers": servers, "creds": local.system_user_creds},
)
# The leaf server's way into APP: a user of its own, whose creds the remote uses (file mode 0600).
leaf_user = nats.User(
    "leaf",
    name="leaf",
    signer_seed=app_key.seed,
    account_public_key=app_identity.public_key,
    account_signing_keys=[app_key.public_key],
    operator_strict=True,
)
leaf_remote = nats.LeafRemote(
    "leaf-remote",
    urls=[f"nats-leaf://127.0.0.1:{leafnode_port:g}"],
    credentials=leaf_user.creds,
    credentials_path="out/leaf.creds",
)

# The main server's config: `nats-server -c out/nats-server.conf` trusts the operator, runs the
# resolver APP is pushed to (SYS is preloaded: the resolver needs it before any push) and takes leaf
# node connections.
server = nats.ServerConfig(
    "server",
    path="out/nats-server.conf",
    host="127.0.0.1",
    port=port,
    operator=local.operator_jwt,
    system_account=local.system_account_public_key,
    resolver={"type": "full", "dir": "out/jwt", "allow_delete": True},
    preload_accounts=[
        {"public_key": local.system_account_public_key, "jwt": local.system_account_jwt}
    ],
    leafnodes={"host": "127.0.0.1", "port": leafnode_port},
)
# The leaf server (`nats-server -c out/leaf.conf`): its clients need no credentials and reach APP
# through the remote.
leaf = nats.ServerConfig(
    "leaf",
    path="out/leaf.conf",
    host="127.0.0.1",
    port=leaf_port,
    leafnodes={"remotes": [leaf_remote.remote]},
)

pulumi.export("serverConfigPath", server.path)
pulumi.export("leafServerConfigPath", leaf.path)
pulumi.export("operatorJwt", local.operator_jwt)
pulumi.export("systemAccount", local.system_account_public_key)
pulumi.export("systemAccountJwt", local.system_account_jwt)
pulumi.export("appPushedTo", app.pushed_to)
if user is not None:
    pulumi.export("userCreds", user.creds)  # a secret
