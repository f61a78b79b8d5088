// An operator with a signing key and the system account (strict signing keys), an account APP with a
// signing key, a user that may send and receive on app.>, and the config of a NATS server that trusts
// the operator. Stack config: host (127.0.0.1) and port (4222) of the server; servers (a JSON list of
// nats:// URLs APP is pushed to, empty until the server runs).
package main

import (
	"fmt"

	"github.com/pulumi-nats-auth/pulumi-nats-auth/sdk/go/natsauth"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		host := cfg.Get("host")
		if host == "" {
			host = "127.0.0.1"
		}
		port := cfg.GetInt("port")
		if port == 0 {
			port = 4222
		}
		var servers []string
		_ = cfg.TryObject("servers", &servers)

		// nsc add operator --generate-signing-key --sys: the operator, its signing key, the SYS account
		// and its user, in one component.
		op, err := natsauth.NewOperatorWithSystemAccount(ctx, "operator", &natsauth.OperatorWithSystemAccountArgs{
			Name:                  pulumi.String(ctx.Project()),
			GenerateSigningKey:    pulumi.Bool(true),
			StrictSigningKeyUsage: pulumi.Bool(true),
		})
		if err != nil {
			return err
		}

		// nsc generate config --nats-resolver: the server trusts the operator and runs a full resolver;
		// AllowDelete lets `pulumi destroy` delete APP from it. Paths are relative to this folder.
		server, err := natsauth.NewServerConfig(ctx, "server", &natsauth.ServerConfigArgs{
			Path:          pulumi.String("out/server.conf"),
			Host:          pulumi.String(host),
			Port:          pulumi.Int(port),
			Operator:      op.OperatorJwt,
			SystemAccount: op.SystemAccountPublicKey,
			Resolver: &natsauth.ServerConfigResolverArgs{
				Type:        pulumi.String("full"),
				Dir:         pulumi.String("out/jwt"),
				AllowDelete: pulumi.Bool(true),
			},
			PreloadAccounts: natsauth.PreloadAccountArray{
				&natsauth.PreloadAccountArgs{PublicKey: op.SystemAccountPublicKey, Jwt: op.SystemAccountJwt},
			},
		})
		if err != nil {
			return err
		}

		// The app account, with a signing key for its users, pushed to `servers` (waiting up to 10 s for
		// a server that is still starting).
		appKey, err := natsauth.NewKeyPair(ctx, "app-key", &natsauth.KeyPairArgs{Kind: pulumi.String("account")})
		if err != nil {
			return err
		}
		appSk, err := natsauth.NewSigningKey(ctx, "app-sk", &natsauth.SigningKeyArgs{Owner: pulumi.String("account")})
		if err != nil {
			return err
		}
		app, err := natsauth.NewAccount(ctx, "APP", &natsauth.AccountArgs{
			Name:                pulumi.String("APP"),
			Seed:                appKey.Seed,
			SignerSeed:          op.SigningKeySeed.Elem(),
			OperatorPublicKey:   op.OperatorPublicKey,
			OperatorSigningKeys: pulumi.StringArray{op.SigningKeyPublicKey.Elem()},
			OperatorStrict:      pulumi.Bool(true),
			SigningKeys:         pulumi.Array{appSk.Ref},
			Limits:              &natsauth.AccountLimitsArgs{Conn: pulumi.Int(100)},
			Resolver: &natsauth.AccountResolverArgs{
				Servers: pulumi.ToStringArray(servers),
				Creds:   op.SystemUserCreds,
				WaitMs:  pulumi.Int(10000),
			},
		}, pulumi.DependsOn([]pulumi.Resource{server}))
		if err != nil {
			return err
		}

		// A user that may send and receive on app.> (and get replies), its creds in out/app-user.creds (0600).
		user, err := natsauth.NewUser(ctx, "app-user", &natsauth.UserArgs{
			Name:               pulumi.String("app-user"),
			SignerSeed:         appSk.Seed,
			AccountPublicKey:   appKey.PublicKey,
			AccountSigningKeys: pulumi.Array{appSk.Ref},
			OperatorStrict:     pulumi.Bool(true),
			Pub:                &natsauth.PermissionArgs{Allow: pulumi.StringArray{pulumi.String("app.>"), pulumi.String("_INBOX.>")}},
			Sub:                &natsauth.PermissionArgs{Allow: pulumi.StringArray{pulumi.String("app.>"), pulumi.String("_INBOX.>")}},
		})
		if err != nil {
			return err
		}
		creds, err := natsauth.NewCredsFile(ctx, "app-user-creds", &natsauth.CredsFileArgs{
			Path:  pulumi.String("out/app-user.creds"),
			Creds: user.Creds.Elem(),
		})
		if err != nil {
			return err
		}

		ctx.Export("serverConfigPath", server.Path)
		ctx.Export("appPushedTo", app.PushedTo)
		ctx.Export("credsPath", creds.Path)
		ctx.Export("url", pulumi.String(fmt.Sprintf("nats://%s:%d", host, port)))
		return nil
	})
}
