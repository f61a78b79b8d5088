// The seed scenario from Go: an operator with a signing key and a system account (strict signing
// keys), an account with a signing key pushed to the servers' resolver, a user of it, and the config
// files of a main server and of a leaf server bound to the account. Run with `pulumi up` (README, Install: Go); `servers` (a
// JSON list of nats:// URLs) is empty until the servers run; `port`, `leafPort` and `leafnodePort`
// (4222, 4223, 7422) are the main server's, the leaf's client port and the main's leaf node port.
package main

import (
	"github.com/pulumi-nats-auth/pulumi-nats-auth/sdk/go/natsauth"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		var servers []string
		_ = cfg.TryObject("servers", &servers)
		port := cfg.GetInt("port")
		if port == 0 {
			port = 4222
		}
		leafPort := cfg.GetInt("leafPort")
		if leafPort == 0 {
			leafPort = 4223
		}
		leafnodePort := cfg.GetInt("leafnodePort")
		if leafnodePort == 0 {
			leafnodePort = 7422
		}
		connLimit := cfg.GetInt("connLimit")
		if connLimit == 0 {
			connLimit = 100
		}

		// nsc add operator --generate-signing-key --sys: the operator, its signing key, the SYS account
		// and its user, in one component (served by the plugin: every language gets the same).
		local, err := natsauth.NewOperatorWithSystemAccount(ctx, "local", &natsauth.OperatorWithSystemAccountArgs{
			Name:                  pulumi.String("local"),
			GenerateSigningKey:    pulumi.Bool(true),
			StrictSigningKeyUsage: pulumi.Bool(true),
		})
		if err != nil {
			return err
		}

		// An account with limits and a signing key for its users, pushed to the resolver. Its identity
		// comes from a KeyPair: APP lists its users in `members`, so they cannot read its key from APP.
		appIdentity, err := natsauth.NewKeyPair(ctx, "app-identity", &natsauth.KeyPairArgs{Kind: pulumi.String("account")})
		if err != nil {
			return err
		}
		appKey, err := natsauth.NewSigningKey(ctx, "app-sk", &natsauth.SigningKeyArgs{Owner: pulumi.String("account")})
		if err != nil {
			return err
		}
		// A user, signed by the account's signing key, that may publish and subscribe on orders.> (and
		// answer requests).
		// APP lists it in `members`: set withUser=false and `pulumi up` revokes its key in APP's JWT
		// (its connections drop) before the user goes.
		var members natsauth.MemberArray
		var userCreds pulumi.StringPtrOutput
		if cfg.Get("withUser") != "false" {
			userKey, err := natsauth.NewKeyPair(ctx, "orders-key", &natsauth.KeyPairArgs{Kind: pulumi.String("user")})
			if err != nil {
				return err
			}
			user, err := natsauth.NewUser(ctx, "orders", &natsauth.UserArgs{
				Name:               pulumi.String("orders"),
				Seed:               userKey.Seed,
				SignerSeed:         appKey.Seed,
				AccountPublicKey:   appIdentity.PublicKey,
				AccountSigningKeys: pulumi.Array{appKey.PublicKey},
				OperatorStrict:     pulumi.Bool(true),
				Pub: &natsauth.PermissionArgs{
					Allow: pulumi.StringArray{pulumi.String("orders.>"), pulumi.String("_INBOX.>")},
				},
				Sub: &natsauth.PermissionArgs{
					Allow: pulumi.StringArray{pulumi.String("orders.>"), pulumi.String("_INBOX.>")},
				},
			})
			if err != nil {
				return err
			}
			members = append(members, &natsauth.MemberArgs{
				Urn:       user.URN(),
				PublicKey: userKey.PublicKey,
				Name:      pulumi.String("orders"),
			})
			userCreds = user.Creds
		}
		app, err := natsauth.NewAccount(ctx, "APP", &natsauth.AccountArgs{
			Name:                pulumi.String("APP"),
			Seed:                appIdentity.Seed,
			SignerSeed:          local.SigningKeySeed.Elem(),
			OperatorPublicKey:   local.OperatorPublicKey,
			OperatorSigningKeys: pulumi.StringArray{local.SigningKeyPublicKey.Elem()},
			OperatorStrict:      pulumi.Bool(true),
			SigningKeys:         pulumi.Array{appKey.PublicKey},
			Members:             members,
			Limits: &natsauth.AccountLimitsArgs{
				Conn:    pulumi.Int(connLimit),
				Payload: pulumi.Int(1024 * 1024),
			},
			Resolver: &natsauth.AccountResolverArgs{
				Servers: pulumi.ToStringArray(servers),
				Creds:   local.SystemUserCreds,
			},
		})
		if err != nil {
			return err
		}
		// The leaf server's way into APP: a user of its own, whose creds the remote uses (file mode 0600).
		leafUser, err := natsauth.NewUser(ctx, "leaf", &natsauth.UserArgs{
			Name:               pulumi.String("leaf"),
			SignerSeed:         appKey.Seed,
			AccountPublicKey:   appIdentity.PublicKey,
			AccountSigningKeys: pulumi.Array{appKey.PublicKey},
			OperatorStrict:     pulumi.Bool(true),
		})
		if err != nil {
			return err
		}
		leafRemote, err := natsauth.NewLeafRemote(ctx, "leaf-remote", &natsauth.LeafRemoteArgs{
			Urls:            pulumi.StringArray{pulumi.Sprintf("nats-leaf://127.0.0.1:%v", leafnodePort)},
			Credentials:     leafUser.Creds,
			CredentialsPath: pulumi.String("out/leaf.creds"),
		})
		if err != nil {
			return err
		}

		// The main server's config: `nats-server -c out/nats-server.conf` trusts the operator, runs the
		// resolver APP is pushed to (SYS is preloaded: the resolver needs it before any push) and takes
		// leaf node connections.
		server, err := natsauth.NewServerConfig(ctx, "server", &natsauth.ServerConfigArgs{
			Path:          pulumi.String("out/nats-server.conf"),
			Host:          pulumi.String("127.0.0.1"),
			Port:          pulumi.Int(port),
			Operator:      local.OperatorJwt,
			SystemAccount: local.SystemAccountPublicKey,
			Resolver: &natsauth.ServerConfigResolverArgs{
				Type:        pulumi.String("full"),
				Dir:         pulumi.String("out/jwt"),
				AllowDelete: pulumi.Bool(true),
			},
			PreloadAccounts: natsauth.PreloadAccountArray{
				&natsauth.PreloadAccountArgs{PublicKey: local.SystemAccountPublicKey, Jwt: local.SystemAccountJwt},
			},
			Leafnodes: &natsauth.LeafNodesSpecArgs{Host: pulumi.String("127.0.0.1"), Port: pulumi.Int(leafnodePort)},
		})
		if err != nil {
			return err
		}
		// The leaf server (`nats-server -c out/leaf.conf`): its clients need no credentials and reach
		// APP through the remote.
		leaf, err := natsauth.NewServerConfig(ctx, "leaf", &natsauth.ServerConfigArgs{
			Path: pulumi.String("out/leaf.conf"),
			Host: pulumi.String("127.0.0.1"),
			Port: pulumi.Int(leafPort),
			Leafnodes: &natsauth.LeafNodesSpecArgs{
				Remotes: natsauth.LeafRemoteSpecArray{leafRemote.Remote},
			},
		})
		if err != nil {
			return err
		}

		ctx.Export("serverConfigPath", server.Path)
		ctx.Export("leafServerConfigPath", leaf.Path)
		ctx.Export("operatorJwt", local.OperatorJwt)
		ctx.Export("systemAccount", local.SystemAccountPublicKey)
		ctx.Export("systemAccountJwt", local.SystemAccountJwt)
		ctx.Export("appPushedTo", app.PushedTo)
		if members != nil {
			ctx.Export("userCreds", userCreds) // a secret
		}
		return nil
	})
}
