/**
 * pulumi-nats-auth: NATS decentralized security (operators, accounts, users, signing keys) and
 * topology (resolver, leaf-node remotes, server config) as Pulumi resources.
 */
export * from "./account";
export * from "./activationToken";
export * from "./credsFile";
export * from "./identity";
export * from "./keyPair";
export * from "./leafRemote";
export * from "./natsContext";
export * from "./operator";
export * from "./operatorWithSystemAccount";
export * from "./serverConfig";
export * from "./signingKey";
export * from "./types";
export * from "./user";
