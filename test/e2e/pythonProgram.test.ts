/**
 * examples/python/seed through the Python language host, the SDK generated into sdk/python and the
 * native plugin. `pulumi up` creates the project's virtualenv from requirements.txt, as it does for
 * a user; pip reads the wheelhouse install-tools.sh downloaded instead of PyPI (PIP_NO_INDEX), so
 * nothing is fetched at test time. The virtualenv is made afresh: the SDK is copied into it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT, toolPath } from "../harness/paths";
import { runNativeSeed } from "./fixtures/nativeSeed";

const PROJECT = path.join(REPO_ROOT, "examples", "python", "seed");

describe("e2e python - the seed scenario from a Python program", () => {
  it("python - up, publish with the user's creds, 0-change preview, one limit update, destroy, no secret in the open", async () => {
    toolPath("pulumi-language-python");
    toolPath("pulumi-language-python-exec");
    const venv = path.join(PROJECT, "venv");
    fs.rmSync(venv, { recursive: true, force: true });
    try {
      await runNativeSeed(PROJECT, {
        PIP_NO_INDEX: "1",
        PIP_FIND_LINKS: path.join(REPO_ROOT, ".tools", "python-wheels"),
        PIP_DISABLE_PIP_VERSION_CHECK: "1",
      });
    } finally {
      fs.rmSync(venv, { recursive: true, force: true });
    }
  });
});
