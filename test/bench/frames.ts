// Reading relay frames at load-generator speed. One core receives every delivery of every server
// under test, so frames are recognised by their fixed JSON prefix and the clientMsgId is sliced
// out, without parsing: the generator must not be what limits the measured throughput.
// The relay writes frames with JSON.stringify in schema order (`type` first), and the baselines
// forward the same message frame text, so the prefixes hold for all three servers.

export type Frame = Buffer | string;

const MESSAGE = '{"type":"message","message":{';
const ACK = '{"type":"ack","id":"';
const ERROR = '{"type":"error","id":';
const CLIENT_MSG_ID = '"clientMsgId":"';
const MESSAGE_BYTES = Buffer.from(MESSAGE);
const ACK_BYTES = Buffer.from(ACK);
const ERROR_BYTES = Buffer.from(ERROR);
const CLIENT_MSG_ID_BYTES = Buffer.from(CLIENT_MSG_ID);
/** A UUID, as every clientMsgId is. */
const ID_CHARS = 36;

function startsWith(frame: Frame, text: string, bytes: Buffer): boolean {
  if (typeof frame === 'string') return frame.startsWith(text);
  return frame.length >= bytes.length && frame.compare(bytes, 0, bytes.length, 0, bytes.length) === 0;
}

export function isMessage(frame: Frame): boolean {
  return startsWith(frame, MESSAGE, MESSAGE_BYTES);
}

/** The clientMsgId of a message frame, or null (system entries have none). */
export function clientMsgIdOf(frame: Frame): string | null {
  if (typeof frame === 'string') {
    const at = frame.indexOf(CLIENT_MSG_ID);
    return at < 0 ? null : frame.slice(at + CLIENT_MSG_ID.length, at + CLIENT_MSG_ID.length + ID_CHARS);
  }
  const at = frame.indexOf(CLIENT_MSG_ID_BYTES);
  if (at < 0) return null;
  const from = at + CLIENT_MSG_ID_BYTES.length;
  return frame.toString('latin1', from, from + ID_CHARS);
}

/** The request id an `ack` frame answers, or null for any other frame. */
export function ackedId(frame: Frame): string | null {
  if (!startsWith(frame, ACK, ACK_BYTES)) return null;
  const text = typeof frame === 'string' ? frame : frame.toString('latin1', 0, ACK.length + 70);
  return text.slice(ACK.length, text.indexOf('"', ACK.length));
}

/** The request id an `error` frame answers ('' when the relay could not read one), or null. */
export function refusedId(frame: Frame): string | null {
  if (!startsWith(frame, ERROR, ERROR_BYTES)) return null;
  const text = typeof frame === 'string' ? frame : frame.toString('utf8');
  const match = /^\{"type":"error","id":(?:"([^"]*)"|null)/.exec(text);
  return match?.[1] ?? '';
}

/** The error message of an `error` frame (for reports). */
export function errorText(frame: Frame): string {
  const text = typeof frame === 'string' ? frame : frame.toString('utf8');
  return /"message":"([^"]*)"/.exec(text)?.[1] ?? text.slice(0, 120);
}
