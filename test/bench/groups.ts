// The sections that share one stage per group size (relay load, end-to-end load, latency): the
// servers and their thousand sockets are set up once per size and used by each section in turn.
import { e2eLoad } from './e2e';
import type { LoadFigures } from './figures';
import { type LatencyFigures, latencyAt, printLatency, wsSaturation } from './latency';
import { progress } from './measure';
import type { BenchOptions } from './options';
import { printLoad, printSenderPath, relayLoad, senderPathLoad } from './relay';
import type { Room } from './room';
import { withStage } from './stage';

export interface GroupResults {
  relay: LoadFigures[];
  /** Parley with two members online in each group size (the sender's path). */
  senderPath: LoadFigures[];
  e2e: LoadFigures[];
  latency: LatencyFigures[];
}

export async function runGroupSections(opts: BenchOptions): Promise<GroupResults> {
  const results: GroupResults = { relay: [], senderPath: [], e2e: [], latency: [] };
  const { sections } = opts;
  for (const group of opts.groups) {
    const relay = sections.has('relay');
    const e2e = sections.has('e2e') && opts.e2eGroups.includes(group);
    const latency = sections.has('latency') && opts.latencyGroups.includes(group);
    if (!relay && !e2e && !latency) continue;
    const senders = Math.min(opts.senders, group);
    const load = { seconds: opts.seconds, window: opts.window, rounds: opts.rounds };
    const lean = relay
      ? async (room: Room) => {
          progress(`group ${group}: sender's path`);
          results.senderPath.push(await senderPathLoad(room, group, load));
        }
      : undefined;
    await withStage(
      group,
      senders,
      async (stage) => {
        let relayFigures: LoadFigures[] | undefined;
        if (relay) {
          progress(`group ${group}: relay load`);
          relayFigures = await relayLoad(stage, load);
          results.relay.push(...relayFigures);
        }
        if (e2e) {
          progress(`group ${group}: end-to-end load`);
          results.e2e.push(...(await e2eLoad(stage, load)));
        }
        if (latency) {
          progress(`group ${group}: latency`);
          const saturation = await wsSaturation(stage, relayFigures, opts.window);
          const figures = await latencyAt(stage, saturation, {
            seconds: opts.latencySeconds,
            rounds: opts.rounds,
            loads: opts.latencyLoads,
            window: opts.window,
          });
          results.latency.push(...figures);
        }
      },
      lean,
    );
  }
  const sendersNote = `${opts.senders} senders, ${opts.window} in flight each, ${opts.seconds} s per run`;
  if (results.relay.length > 0) {
    printLoad(
      `Relay load: pre-sealed envelopes, closed loop (${sendersNote}; median (range) of ${opts.rounds} rounds)`,
      results.relay,
    );
  }
  if (results.senderPath.length > 0) printSenderPath(results.senderPath);
  if (results.e2e.length > 0) {
    printLoad(
      `End-to-end load: clients encrypt at send, receivers decrypt and verify before counting (${sendersNote})`,
      results.e2e,
    );
  }
  if (results.latency.length > 0) printLatency(results.latency);
  return results;
}
