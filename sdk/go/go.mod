module github.com/pulumi-nats-auth/pulumi-nats-auth/sdk/go

go 1.20

require github.com/pulumi/pulumi/sdk/v3 v3.30.0
