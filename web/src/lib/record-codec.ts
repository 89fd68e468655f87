// A tiny binary encoding of `Record<string, Uint8Array>` (name and value, each length-prefixed),
// so secrets never pass through strings on their way into the vault.

export class RecordCodecError extends Error {
  override name = 'RecordCodecError';
}

export function encodeRecord(record: Record<string, Uint8Array>): Uint8Array<ArrayBuffer> {
  const enc = new TextEncoder();
  const parts = Object.entries(record).map(([name, value]) => ({ name: enc.encode(name), value }));
  const size = parts.reduce((n, p) => n + 2 + p.name.length + 4 + p.value.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let off = 0;
  for (const p of parts) {
    if (p.name.length > 0xffff) throw new RecordCodecError('encodeRecord: name too long');
    view.setUint16(off, p.name.length);
    out.set(p.name, off + 2);
    off += 2 + p.name.length;
    view.setUint32(off, p.value.length);
    out.set(p.value, off + 4);
    off += 4 + p.value.length;
  }
  return out;
}

export function decodeRecord(bytes: Uint8Array): Record<string, Uint8Array> {
  const dec = new TextDecoder('utf-8', { fatal: true });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Record<string, Uint8Array> = {};
  let off = 0;
  while (off < bytes.length) {
    if (off + 2 > bytes.length) throw new RecordCodecError('decodeRecord: truncated name length');
    const nameLen = view.getUint16(off);
    if (off + 2 + nameLen + 4 > bytes.length) throw new RecordCodecError('decodeRecord: truncated name');
    const name = dec.decode(bytes.subarray(off + 2, off + 2 + nameLen));
    off += 2 + nameLen;
    const valueLen = view.getUint32(off);
    if (off + 4 + valueLen > bytes.length) throw new RecordCodecError('decodeRecord: truncated value');
    out[name] = bytes.slice(off + 4, off + 4 + valueLen);
    off += 4 + valueLen;
  }
  return out;
}
