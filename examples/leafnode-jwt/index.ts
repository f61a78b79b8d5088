// Entry point for `pulumi up` in this folder; the program itself is in program.ts so tests and the
// repository's demo can run it inline through the Automation API.
import { leafnodeJwt } from "./program";

export = leafnodeJwt;
