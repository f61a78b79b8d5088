/** The leaf examples' first `up` (TS and YAML render the same main and leaf configs from port config). */
import type { UpResult } from "@pulumi/pulumi/automation";
import { NatsServer, withFreshPorts } from "./natsServer";
import type { TestStack } from "./pulumi";

/**
 * Sets the example's `mainPort`, `leafPort` and `leafnodePort` to free ports, runs `up`, and starts the
 * main and leaf servers from the configs it rendered, as they are. On fresh ports again when a server
 * cannot bind (withFreshPorts).
 */
export async function upWithLeafServers(
  t: TestStack,
  what: string,
  names: { main: string; leaf: string },
): Promise<{ first: UpResult; main: NatsServer; leaf: NatsServer }> {
  return withFreshPorts(what, async (ports) => {
    const p = {
      mainPort: await ports.port(),
      leafPort: await ports.port(),
      leafnodePort: await ports.port(),
    };
    await t.stack.setAllConfig(
      Object.fromEntries(Object.entries(p).map(([k, v]) => [k, { value: String(v) }])),
    );
    const first = await t.up();
    const start = (config: unknown, port: number, name: string) =>
      NatsServer.fromConfig(String(config), { port, name });
    const main = ports.own(await start(first.outputs.mainServerConfig.value, p.mainPort, names.main));
    const leaf = ports.own(await start(first.outputs.leafServerConfig.value, p.leafPort, names.leaf));
    return { first, main, leaf };
  });
}
