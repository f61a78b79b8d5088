/**
 * Key material in plain stack config is found wherever it sits (a scalar, a leaf of a structured
 * value, a .creds text, a PEM key), in every namespace, and only when the key is not secret; the
 * refusal names the key and the path, gives the command, and never carries the value.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { plainConfigSecrets, plainConfigSecretsMessage } from "../../core/configSecrets";
import { formatCreds } from "../../core/creds";
import { createKeyPair } from "../../core/nkeys";

const seed = (kind: "operator" | "account" | "user" = "account") => createKeyPair(kind).seed();
const none = () => false;

describe("config secrets", () => {
  it("config secrets - a plain seed, .creds text or PEM key is found, in any namespace", () => {
    const creds = formatCreds("eyJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.sig", seed("user"));
    const found = plainConfigSecrets(
      {
        "app:operatorSeed": seed("operator"),
        "app:sysCreds": creds,
        "other:tlsKey": "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----\n",
        "aws:region": "eu-west-1",
        "app:servers": '["nats://127.0.0.1:4222"]',
      },
      none,
    );
    assert.deepEqual(found, [
      { key: "app:operatorSeed", what: "an nkey seed" },
      { key: "app:sysCreds", what: "a .creds text (it holds the user's seed)" },
      { key: "other:tlsKey", what: "a PEM private key" },
    ]);
  });

  it("config secrets - inside structured config, each leaf is named by its --path", () => {
    const found = plainConfigSecrets(
      {
        "app:accounts": JSON.stringify({ app: { seed: seed(), limits: { conn: 5 } }, "team.b": [seed()] }),
      },
      none,
    );
    assert.deepEqual(found, [
      { key: "app:accounts", path: "app:accounts.app.seed", what: "an nkey seed" },
      { key: "app:accounts", path: 'app:accounts["team.b"][0]', what: "an nkey seed" },
    ]);
  });

  it("config secrets - secret keys are left alone (a structured key with a secret leaf is secret whole)", () => {
    assert.deepEqual(
      plainConfigSecrets({ "app:seed": seed(), "app:nested": JSON.stringify({ a: seed() }) }, () => true),
      [],
    );
  });

  it("config secrets - the message names key, path and command, never the value", () => {
    const s = seed();
    const found = plainConfigSecrets(
      { "app:operatorSeed": s, "app:accounts": JSON.stringify({ a: { seed: s } }) },
      none,
    );
    const msg = plainConfigSecretsMessage(found);
    assert.ok(!msg.includes(s), "no seed in the message");
    assert.match(
      msg,
      /pulumi config get 'app:operatorSeed' \| pulumi config set --secret 'app:operatorSeed'/,
    );
    assert.match(msg, /app:accounts: an nkey seed at app:accounts\.a\.seed\n/);
    assert.match(
      msg,
      /\n {4}pulumi config get 'app:accounts' \| pulumi config set --secret 'app:accounts'\n/,
    );
    assert.match(
      msg,
      /\(or, for a map, keeping its shape: pulumi config get --path 'app:accounts\.a\.seed' \| pulumi config set --secret --path 'app:accounts\.a\.seed'\)/,
    );
    assert.match(msg, /stack export/);
    assert.match(msg, /Nothing was registered/);
  });
});
