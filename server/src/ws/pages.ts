// Byte budgets for pages of timeline entries, so one sync or fetch frame stays well under the
// slow-consumer cap even when every entry carries a maximum-size ciphertext.
import type { MessageRecord } from '../db/store';

/** Rough wire size of an entry: base64url ciphertext plus the JSON around it. */
function wireSize(m: MessageRecord): number {
  return (m.ciphertext ? Math.ceil((m.ciphertext.length * 4) / 3) : 0) + 300;
}

/** Splits entries into consecutive chunks of at most `maxBytes` (each holds at least one entry). */
export function chunkByBytes(messages: MessageRecord[], maxBytes: number): MessageRecord[][] {
  const chunks: MessageRecord[][] = [];
  let current: MessageRecord[] = [];
  let size = 0;
  for (const m of messages) {
    const s = wireSize(m);
    if (current.length > 0 && size + s > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += s;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The longest prefix within `maxBytes` (at least one entry); hasMore when something was cut. */
export function fitPage(
  page: { messages: MessageRecord[]; hasMore: boolean },
  maxBytes: number,
): { messages: MessageRecord[]; hasMore: boolean } {
  const first = chunkByBytes(page.messages, maxBytes)[0] ?? [];
  return { messages: first, hasMore: page.hasMore || first.length < page.messages.length };
}
