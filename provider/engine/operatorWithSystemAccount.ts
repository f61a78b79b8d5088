/** `pulumi-nats-auth/provider/operatorWithSystemAccount` (package.json exports point here, beside the handlers). */
export * from "../operatorWithSystemAccount";
