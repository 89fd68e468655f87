// The end-to-end load: clients that really encrypt each message when they send it, and receivers
// that decrypt it and verify the sender's signature before it counts as delivered. Every server
// carries the same envelopes, so the comparison shows what the relay costs once client crypto,
// which all three pay alike, is in the loop.
import { waitUntilIdle } from './cpu';
import type { Sender } from './envelopes';
import { type LoadFigures, summarise } from './figures';
import { runClosedLoop } from './load';
import { sealAtSend } from './pool';
import { rotate } from './repeat';
import type { Room } from './room';
import type { Stage } from './stage';

export interface E2eLoadOptions {
  seconds: number;
  window: number;
  rounds: number;
}

export async function e2eLoad(stage: Stage, opts: E2eLoadOptions): Promise<LoadFigures[]> {
  const openWith = new Map<string, Sender>(stage.cast.senders.map((s) => [s.id, s]));
  const run = async (room: Room, seconds: number) => {
    const result = await runClosedLoop(room, {
      seconds,
      window: opts.window,
      source: sealAtSend(stage.cast),
      openWith,
    });
    await waitUntilIdle(room.server.pid);
    return result;
  };
  const results = await rotate(stage.rooms, opts.rounds, (room) => run(room, opts.seconds), {
    warmUp: (room) => run(room, Math.min(1, opts.seconds)),
  });
  return stage.rooms.map((room) => summarise(room.server.name, stage.group, results.get(room) ?? []));
}
