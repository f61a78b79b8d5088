/**
 * The large account (issue 26): one account with BENCH_LARGE_USERS users (1,000) and
 * BENCH_LARGE_REVOCATIONS explicit revocations (10,000), against the same account without
 * revocations, step by step in one run (the two programs take turns, so both see the same machine).
 * Figures: each CLI step's time and their ratio, the checkpoint's bytes (total, the Account, per User)
 * and the Account's growth against its JWT.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createKeyPair } from "../core/nkeys";
import { REPO_ROOT } from "../test/harness/paths";
import { benchNodeOptions, loadText } from "./machine";
import { BenchProject, type Run } from "./project";
import { median, REPEAT } from "./steps";

export interface LargeResults {
  users: number;
  revocations: number;
  steps: { step: string; plain: Run; revoked: Run }[];
  bytes: { plain: StateBytes; revoked: StateBytes };
  jwtBytes: number;
}

interface StateBytes {
  total: number;
  account: number;
  perUser: number;
}

/** `repeat`: the step changes nothing, so it runs BENCH_REPEAT times (3), the two stacks by turns, and the medians are compared. */
const STEPS: { step: string; args: string[]; env?: Record<string, string>; repeat?: boolean }[] = [
  { step: "pulumi up from empty", args: ["up", "--yes", "--skip-preview"] },
  { step: "no-op pulumi preview", args: ["preview"], repeat: true },
  { step: "account limit changed: preview", args: ["preview"], env: { BENCH_CHANGE: "1" }, repeat: true },
  { step: "account limit changed: up", args: ["up", "--yes", "--skip-preview"], env: { BENCH_CHANGE: "1" } },
];

/** The program in a temp folder of its own (two stacks of it run side by side). */
function project(name: string): Promise<BenchProject> {
  const program = path.join(REPO_ROOT, "dist", "bench", "programs", "large", "index.js");
  return BenchProject.inTemp(
    name,
    (dir) => {
      fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        `name: bench-${name}\nruntime: nodejs\nmain: index.js\n`,
      );
      fs.writeFileSync(path.join(dir, "index.js"), `module.exports = require(${JSON.stringify(program)});\n`);
      fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
    },
    {},
    () => ({}),
  );
}

function stateBytes(text: string): StateBytes {
  const resources = (JSON.parse(text) as { deployment: { resources: { type: string; urn: string }[] } })
    .deployment.resources;
  const size = (r: unknown) => Buffer.byteLength(JSON.stringify(r));
  const users = resources.filter((r) => /::big-u\d+$/.test(r.urn));
  const account = resources.find((r) => r.urn.endsWith("::big"));
  return {
    total: Buffer.byteLength(text),
    account: account ? size(account) : 0,
    perUser: users.length ? users.reduce((n, r) => n + size(r), 0) / users.length : 0,
  };
}

export async function runLarge(users: number, revocations: number): Promise<LargeResults> {
  const w = process.stdout;
  w.write(`\n# Large account: ${users} users, ${revocations} revocations vs none (ratios: with / without)\n`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pna-bench-revocations-"));
  const file = path.join(dir, "revocations.json");
  const map: Record<string, number> = {};
  for (let i = 0; i < revocations; i++) map[createKeyPair("user").getPublicKey()] = 1_700_000_000 + i;
  fs.writeFileSync(file, JSON.stringify(map));
  const size = {
    BENCH_USERS: String(users),
    BENCH_ACCOUNTS: "1",
    ...benchNodeOptions(),
  };
  // Names of one length: every URN in state holds the project's name, and a longer one made each
  // User of the revoked stack 22 bytes bigger (a checkpoint growth of 1.50× instead of 1.47×).
  const plain = await project("large-without");
  const revoked = await project("large-revoked");
  try {
    const steps: LargeResults["steps"] = [];
    for (const s of STEPS) {
      const as: Run[] = [];
      const bs: Run[] = [];
      for (let i = 0; i < (s.repeat ? REPEAT : 1); i++) {
        as.push(await plain.step(s.args, { ...size, ...s.env }));
        bs.push(await revoked.step(s.args, { ...size, ...s.env, BENCH_REVOCATIONS_FILE: file }));
      }
      const a = median(as);
      const b = median(bs);
      const runs = (xs: Run[]) => xs.map((r) => (r.ms / 1000).toFixed(1)).join(", ");
      w.write(
        `  ${s.step.padEnd(32)} without ${(a.ms / 1000).toFixed(1)} s  with ${(b.ms / 1000).toFixed(1)} s  ` +
          `ratio ${(b.ms / a.ms).toFixed(2)}×  [${b.summary}]  ${loadText(b.load)}\n` +
          (as.length > 1 ? `    runs (s): without ${runs(as)}; with ${runs(bs)}; medians above\n` : ""),
      );
      steps.push({ step: s.step, plain: a, revoked: b });
    }
    const jwtBytes = Number(
      JSON.parse((await revoked.step(["stack", "output", "--json"], { ...size })).stdout).jwtBytes,
    );
    const bytes = {
      plain: stateBytes(await plain.exportText()),
      revoked: stateBytes(await revoked.exportText()),
    };
    const grown = bytes.revoked.total - bytes.plain.total;
    w.write(
      `  state: ${bytes.plain.total} → ${bytes.revoked.total} bytes (+${grown}, ${(grown / jwtBytes).toFixed(2)}× the ` +
        `${jwtBytes}-byte account JWT); Account ${bytes.plain.account} → ${bytes.revoked.account}; per User ` +
        `${bytes.plain.perUser.toFixed(0)} → ${bytes.revoked.perUser.toFixed(0)}\n`,
    );
    return { users, revocations, steps, bytes, jwtBytes };
  } finally {
    if (process.env.BENCH_KEEP !== "1") {
      plain.dispose();
      revoked.dispose();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
