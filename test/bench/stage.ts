// One group size's stage: the three servers under test, each in its own pinned process, one cast of
// members (real accounts on the Parley relay; the baselines reuse their ids and keys), and a room
// of sockets per server, kept open for every run at that size. Optionally, before any of that, a
// lean room on Parley: the same channel of N members with only two of them online.
import { startSocketIoBaseline, startWsBaseline } from './baselines';
import { waitUntilIdle } from './cpu';
import type { Cast } from './envelopes';
import { startParley } from './parley';
import { Room } from './room';
import type { Server } from './server';

export interface Stage {
  group: number;
  cast: Cast;
  parley: Room;
  ws: Room;
  socketIo: Room;
  rooms: Room[];
}

/** Sockets connected in the lean room: the same at every group size. */
export const LEAN_SOCKETS = 2;

/**
 * `lean`, when given, runs first on Parley alone with only LEAN_SOCKETS senders connected (the
 * rest of the members exist but are offline), before any other socket opens.
 */
export async function withStage<T>(
  group: number,
  senders: number,
  fn: (stage: Stage) => Promise<T>,
  lean?: (room: Room) => Promise<void>,
): Promise<T> {
  const servers: Server[] = [];
  const rooms: Room[] = [];
  try {
    const parleyServer = await startParley();
    servers.push(parleyServer);
    const cast = await parleyServer.enroll(group, Math.max(senders, Math.min(LEAN_SOCKETS, group)));
    if (lean) {
      const few = cast.senders.slice(0, LEAN_SOCKETS);
      const room = await Room.open(parleyServer, { ...cast, members: few, senders: few });
      try {
        await waitUntilIdle(parleyServer.pid);
        await lean(room);
      } finally {
        room.close();
        await waitUntilIdle(parleyServer.pid);
      }
    }
    const full: Cast = { ...cast, senders: cast.senders.slice(0, senders) };
    servers.push(await startWsBaseline(), await startSocketIoBaseline());
    for (const server of servers) {
      rooms.push(await Room.open(server, full));
      await waitUntilIdle(server.pid);
    }
    const [parley, ws, socketIo] = rooms as [Room, Room, Room];
    return await fn({ group, cast: full, parley, ws, socketIo, rooms });
  } finally {
    for (const room of rooms) room.close();
    for (const server of servers) await server.stop();
  }
}
