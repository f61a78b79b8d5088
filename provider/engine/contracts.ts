/** `pulumi-nats-auth/provider/contracts` (package.json exports point here, beside the handlers). */
export * from "../contracts";
