/**
 * examples/python/seed through the Python language host, the SDK generated into sdk/python and the
 * native plugin, set up as the README says: a virtualenv made from requirements.txt, activated (its
 * bin first on PATH: the host runs the python3 it finds there). pip reads the wheelhouse
 * install-tools.sh downloaded instead of PyPI (PIP_NO_INDEX), so nothing is fetched at test time. The
 * virtualenv is made afresh: pip copies the SDK into it.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT, TOOLS_BIN, toolPath } from "../harness/paths";
import { assertReadmeSteps, runNativeSeed, SEED_STEPS } from "./fixtures/nativeSeed";

const PROJECT = path.join(REPO_ROOT, "examples", "python", "seed");

describe("e2e python - the seed scenario from a Python program", () => {
  it("python - up, publish with the user's creds, the leaf request answered, 0-change preview, one limit update, revoke on delete, destroy, no secret in the open", async () => {
    toolPath("pulumi-language-python");
    toolPath("pulumi-language-python-exec");
    assertReadmeSteps(PROJECT, [
      "cd examples/python/seed",
      "python3 -m venv venv && venv/bin/pip install -r requirements.txt",
      "source venv/bin/activate",
      ...SEED_STEPS,
    ]);
    const venv = path.join(PROJECT, "venv");
    fs.rmSync(venv, { recursive: true, force: true });
    const pip = {
      ...process.env,
      PIP_NO_INDEX: "1",
      PIP_FIND_LINKS: path.join(REPO_ROOT, ".tools", "python-wheels"),
      PIP_DISABLE_PIP_VERSION_CHECK: "1",
    };
    try {
      execFileSync("python3", ["-m", "venv", "venv"], { cwd: PROJECT, stdio: "inherit" });
      execFileSync(path.join(venv, "bin", "pip"), ["install", "--quiet", "-r", "requirements.txt"], {
        cwd: PROJECT,
        env: pip,
        stdio: "inherit",
      });
      // `source venv/bin/activate`, for the CLI and the host it starts.
      await runNativeSeed(PROJECT, {
        VIRTUAL_ENV: venv,
        PATH: [path.join(venv, "bin"), TOOLS_BIN, process.env.PATH ?? ""].join(path.delimiter),
      });
    } finally {
      fs.rmSync(venv, { recursive: true, force: true });
    }
  });
});
