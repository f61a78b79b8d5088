/**
 * examples/go/seed through the Go language host, the SDK generated into sdk/go and the native plugin:
 * the program is compiled by the host (`go build`, Go's build cache makes that a link), from the
 * modules install-tools.sh downloaded: GOPROXY=off proves nothing is fetched at test time.
 */
import * as path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT, toolPath } from "../harness/paths";
import { assertReadmeSteps, runNativeSeed, SEED_STEPS } from "./fixtures/nativeSeed";

describe("e2e go - the seed scenario from a Go program", () => {
  it("go - up, publish with the user's creds, the leaf request answered, 0-change preview, one limit update, revoke on delete, destroy, no secret in the open", async () => {
    toolPath("pulumi-language-go");
    const project = path.join(REPO_ROOT, "examples", "go", "seed");
    assertReadmeSteps(project, ["cd examples/go/seed", ...SEED_STEPS]);
    await runNativeSeed(project, {
      GOPROXY: "off",
      GOFLAGS: "-mod=readonly",
      GOTOOLCHAIN: "local",
    });
  });
});
