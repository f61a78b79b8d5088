// The benchmark graph from Go on the native plugin (bench/native.ts builds it once and runs it
// through the Go language host): an operator with its system account, `accounts` accounts each with
// its own key pair and signing key, `users` users per account signed by it and listed in its
// `members` (what the TS SDK's Account does on its own), no resolver. The sizes and account 0's
// connection limit (`conn0`) are stack config the bench sets.
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
		accounts := cfg.RequireInt("accounts")
		users := cfg.RequireInt("users")
		conn0 := cfg.RequireFloat64("conn0")
		org, err := natsauth.NewOperatorWithSystemAccount(ctx, "bench", &natsauth.OperatorWithSystemAccountArgs{
			Name:                  pulumi.String("bench"),
			GenerateSigningKey:    pulumi.Bool(true),
			StrictSigningKeyUsage: pulumi.Bool(true),
		})
		if err != nil {
			return err
		}
		for a := 0; a < accounts; a++ {
			key, err := natsauth.NewKeyPair(ctx, fmt.Sprintf("a%d-key", a), &natsauth.KeyPairArgs{Kind: pulumi.String("account")})
			if err != nil {
				return err
			}
			sk, err := natsauth.NewSigningKey(ctx, fmt.Sprintf("a%d-sk", a), &natsauth.SigningKeyArgs{Owner: pulumi.String("account")})
			if err != nil {
				return err
			}
			var members natsauth.MemberArray
			for u := 0; u < users; u++ {
				name := fmt.Sprintf("a%d-u%d", a, u)
				user, err := natsauth.NewUser(ctx, name, &natsauth.UserArgs{
					Name:               pulumi.String(name),
					SignerSeed:         sk.Seed,
					AccountPublicKey:   key.PublicKey,
					AccountSigningKeys: pulumi.Array{sk.PublicKey},
					OperatorStrict:     pulumi.Bool(true),
					Pub:                &natsauth.PermissionArgs{Allow: pulumi.StringArray{pulumi.String(fmt.Sprintf("a%d.u%d.>", a, u))}},
					Sub:                &natsauth.PermissionArgs{Allow: pulumi.StringArray{pulumi.String("_INBOX.>")}},
				})
				if err != nil {
					return err
				}
				members = append(members, &natsauth.MemberArgs{Urn: user.URN(), PublicKey: user.PublicKey, Name: pulumi.String(name)})
			}
			conn := 100.0
			if a == 0 {
				conn = conn0
			}
			_, err = natsauth.NewAccount(ctx, fmt.Sprintf("a%d", a), &natsauth.AccountArgs{
				Name:                pulumi.String(fmt.Sprintf("a%d", a)),
				Seed:                key.Seed,
				SignerSeed:          org.SigningKeySeed.Elem(),
				OperatorPublicKey:   org.OperatorPublicKey,
				OperatorSigningKeys: pulumi.StringArray{org.SigningKeyPublicKey.Elem()},
				OperatorStrict:      pulumi.Bool(true),
				SigningKeys:         pulumi.Array{sk.PublicKey},
				Members:             members,
				Limits:              &natsauth.AccountLimitsArgs{Conn: pulumi.Float64(conn), Subs: pulumi.Float64(1000)},
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}
