/**
 * "The floor": the package program's graph (same resources, same dependencies) made of trivial
 * dynamic resources whose create returns its inputs and whose diff compares one field. What it costs
 * is the cost of Pulumi's dynamic-provider machinery itself, which no provider can go below.
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { benchSize, firstAccountConn } from "../../size";

const trivial: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: inputs.name, outs: inputs };
  },
  async diff(_id, olds, news) {
    return { changes: olds.v !== news.v };
  },
  async update(_id, _olds, news) {
    return { outs: news };
  },
};

/** A trivial resource; `pub` stands in for the public key the real one would output. */
class Node extends pulumi.dynamic.Resource {
  declare public readonly pub: pulumi.Output<string>;
  constructor(
    name: string,
    props: Record<string, pulumi.Input<unknown>>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    const pub = crypto.createHash("sha256").update(name).digest("hex").slice(0, 56);
    super(trivial, name, { name, pub, v: 1, ...props }, opts, "bench", "Node");
  }
}

class Org extends pulumi.ComponentResource {
  readonly operator: Node;
  readonly signingKey: Node;
  constructor(name: string) {
    super("bench:index:Org", name, {});
    const child = { parent: this };
    const sk = new Node(`${name}-sk`, {}, child);
    const sysKey = new Node(`${name}-sys-key`, {}, child);
    const sysSk = new Node(`${name}-sys-sk`, {}, child);
    const key = new Node(`${name}-key`, {}, child);
    this.operator = new Node(name, { key: key.pub, sk: sk.pub, sys: sysKey.pub }, child);
    this.signingKey = sk;
    const sysUser = new Node(`${name}-sys-user`, { account: sysKey.pub, signer: sysSk.pub }, child);
    new Node(
      `${name}-sys`,
      { operator: this.operator.pub, signer: sk.pub, key: sysKey.pub, sk: sysSk.pub, members: [sysUser.pub] },
      child,
    );
  }
}

const { accounts, users } = benchSize();
const org = new Org("bench");
for (let a = 0; a < accounts; a++) {
  const sk = new Node(`a${a}-sk`, {});
  const key = new Node(`a${a}-key`, {});
  const members: pulumi.Output<string>[] = [];
  for (let u = 0; u < users; u++) {
    members.push(new Node(`a${a}-u${u}`, { account: key.pub, signer: sk.pub, allow: `a${a}.u${u}.>` }).pub);
  }
  new Node(`a${a}`, {
    operator: org.operator.pub,
    signer: org.signingKey.pub,
    sk: sk.pub,
    key: key.pub,
    members,
    v: a === 0 ? firstAccountConn() : 100,
  });
}
