/**
 * pulumi-nats-auth: NATS decentralized security (operators, accounts, users, signing keys) and
 * topology (resolver, leaf-node remotes, server config) as Pulumi resources.
 */
export * from "./keyPair";
export * from "./types";
