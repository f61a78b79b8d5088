/**
 * docs/templates.md, verbatim: each language's `sh` block (`pulumi new templates/<language> --yes`
 * with its config given by flags, `pulumi up`, a nats-server started from the config the program
 * wrote, a push, and a `nats` request answered) run by bash as a user would, in a folder beside a
 * clone of the repository. The clone is a temp folder holding this checkout's templates, SDKs and
 * built plugin (links) and the package tarball `npm pack` writes, as "Once: a built clone" leaves
 * it. The environment is the user's (PULUMI_HOME a fresh temp folder); pip and Go read the
 * wheelhouse and module cache install-tools.sh filled, so nothing is fetched from PyPI or the module
 * proxy at test time (npm reads its cache). The projects' files and PULUMI_HOME are scanned for
 * seeds in the open.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO_ROOT, toolPath } from "../harness/paths";
import { findSecrets, scanFiles } from "../harness/pulumi";
import { readmeScript, runScript, userEnvironment } from "../harness/shell";

const DOC = path.join(REPO_ROOT, "docs", "templates.md");
const LANGUAGES: { title: string; dir: string; project: string; hosts: string[] }[] = [
  { title: "TypeScript", dir: "typescript", project: "hello-ts", hosts: ["pulumi-language-nodejs"] },
  { title: "YAML", dir: "yaml", project: "hello-yaml", hosts: ["pulumi-language-yaml"] },
  { title: "Go", dir: "go", project: "hello-go", hosts: ["pulumi-language-go"] },
  {
    title: "Python",
    dir: "python",
    project: "hello-py",
    hosts: ["pulumi-language-python", "pulumi-language-python-exec"],
  },
];

/** The text of the `## <title>` section of a markdown text. */
function section(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `docs/templates.md has a section "${title}"`);
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

describe("e2e templates - docs/templates.md's commands, verbatim, for each language", () => {
  let root: string;
  let env: Record<string, string>;
  const durations: string[] = [];

  before(() => {
    for (const t of ["pulumi", "nats-server", "nats"]) toolPath(t);
    const plugin = path.join(REPO_ROOT, "dist", "pulumi-resource-nats-auth-v0.1.0-linux-amd64.tar.gz");
    assert.ok(fs.existsSync(plugin), `${plugin} is not built: run "npm run plugin"`);
    root = fs.mkdtempSync(path.join(os.tmpdir(), "pna-templates-"));
    const clone = path.join(root, "pulumi-nats-auth");
    fs.mkdirSync(clone);
    for (const d of ["templates", "sdk", "dist"])
      fs.symlinkSync(path.join(REPO_ROOT, d), path.join(clone, d));
    // `npm pack` in the clone (dist is built: the tests run from it).
    const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", clone], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    })
      .trim()
      .split("\n")
      .pop();
    assert.equal(packed, "pulumi-nats-auth-0.1.0.tgz", "the tarball templates/typescript/package.json names");
    fs.mkdirSync(path.join(root, "home"));
    env = userEnvironment({
      PULUMI_HOME: path.join(root, "home"),
      PIP_NO_INDEX: "1",
      PIP_FIND_LINKS: path.join(REPO_ROOT, ".tools", "python-wheels"),
      PIP_DISABLE_PIP_VERSION_CHECK: "1",
      GOPROXY: "off",
      GOTOOLCHAIN: "local",
    });
  });
  after(() => {
    if (durations.length) console.log(`templates: ${durations.join(", ")}`);
    fs.rmSync(root, { recursive: true, force: true });
  });

  for (const { title, dir, project, hosts } of LANGUAGES) {
    it(`templates - ${title}: pulumi new --yes with flags, up, a server from its config, push, nats request answered`, async () => {
      for (const h of hosts) toolPath(h);
      const script = readmeScript(section(fs.readFileSync(DOC, "utf8"), title));
      assert.ok(script.includes(`pulumi new ../pulumi-nats-auth/templates/${dir} --yes`), script);
      const started = Date.now();
      const { code, out } = await runScript(script, root, env, 400_000);
      durations.push(`${title} ${Math.round((Date.now() - started) / 1000)} s`);
      assert.equal(code, 0, `the commands failed:\n${out.slice(-6000)}`);
      assert.match(out, /appPushedTo\s*: 0 => 1/, "the second up pushed APP");
      assert.match(out, /^hi$/m, `the request was answered:\n${out.slice(-3000)}`);
      const projectDir = path.join(root, project);
      const found = [
        ...findSecrets("the commands' output", out),
        ...scanFiles(path.join(projectDir, ".pulumi")),
        ...scanFiles(path.join(projectDir, "out")),
        ...scanFiles(path.join(projectDir, `Pulumi.dev.yaml`)),
        ...scanFiles(env.PULUMI_HOME),
      ];
      assert.deepEqual(found, [], "no seed in the open");
    });
  }
});
