// Declarative NATS decentralized security (operators, accounts, users, signing keys, activation tokens) and topology (account JWTs pushed to the resolver, leaf remotes, nats-server configs).
package natsauth
