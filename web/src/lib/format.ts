// Display formatting: times in the viewer's time zone, day separators, names, sizes, safety numbers.

/** The viewer's IANA time zone (what the browser reports). */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The date formats the app shows; each is built once per time zone and locale (see `dateFormat`). */
const FORMATS = {
  dayKey: { year: 'numeric', month: '2-digit', day: '2-digit' },
  weekday: { weekday: 'long' },
  date: { weekday: 'short', day: 'numeric', month: 'long' },
  dateWithYear: { weekday: 'short', day: 'numeric', month: 'long', year: 'numeric' },
  time: { hour: 'numeric', minute: '2-digit' },
  dateTime: { dateStyle: 'medium', timeStyle: 'short' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A cached Intl.DateTimeFormat: building one costs far more than formatting, and rows format often. */
function dateFormat(format: keyof typeof FORMATS, timeZone: string, locale?: string): Intl.DateTimeFormat {
  const id = `${format} ${timeZone} ${locale ?? ''}`;
  let f = formatters.get(id);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...FORMATS[format], timeZone });
    formatters.set(id, f);
  }
  return f;
}

/** `YYYY-MM-DD` of an instant in a time zone: two messages share a day separator iff keys match. */
export function dayKey(ms: number, timeZone: string): string {
  return dateFormat('dayKey', timeZone, 'en-CA').format(ms);
}

/** Days between two `YYYY-MM-DD` keys (b - a), calendar-wise. */
function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** "Today", "Yesterday", a weekday within the last week, else a full date. */
export function dayLabel(ms: number, now: number, timeZone: string, locale?: string): string {
  const day = dayKey(ms, timeZone);
  const today = dayKey(now, timeZone);
  const diff = daysBetween(day, today);
  if (diff === 0) return 'Today';
  if (diff === 1) return 'Yesterday';
  if (diff > 1 && diff < 7) return dateFormat('weekday', timeZone, locale).format(ms);
  const sameYear = day.slice(0, 4) === today.slice(0, 4);
  return dateFormat(sameYear ? 'date' : 'dateWithYear', timeZone, locale).format(ms);
}

/** Clock time of a message, e.g. "14:05" or "2:05 PM" depending on the locale. */
export function formatTime(ms: number, timeZone: string, locale?: string): string {
  return dateFormat('time', timeZone, locale).format(ms);
}

/** Full date and time, for tooltips and the admin table. */
export function formatDateTime(ms: number, timeZone: string, locale?: string): string {
  return dateFormat('dateTime', timeZone, locale).format(ms);
}

export interface Dated {
  sentAt: number;
}

export type WithSeparators<T> = { kind: 'day'; key: string; at: number } | { kind: 'item'; item: T };

/** Interleaves a day separator before the first item of each calendar day (in `timeZone`). */
export function withDaySeparators<T extends Dated>(
  items: readonly T[],
  timeZone: string,
): WithSeparators<T>[] {
  const out: WithSeparators<T>[] = [];
  let last = '';
  for (const item of items) {
    const key = dayKey(item.sentAt, timeZone);
    if (key !== last) {
      out.push({ kind: 'day', key, at: item.sentAt });
      last = key;
    }
    out.push({ kind: 'item', item });
  }
  return out;
}

/** Splits a 60-digit safety number into 12 groups of 5 digits. */
export function safetyNumberGroups(digits: string): string[] {
  const clean = digits.replace(/\s+/g, '');
  if (!/^\d{60}$/.test(clean)) throw new RangeError('safetyNumberGroups: expected 60 digits');
  return clean.match(/\d{5}/g) ?? [];
}

/** Up to two initials for an avatar placeholder ("Ada Lovelace" → "AL", "bob" → "B"). */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0]];
  return letters
    .map((w) => (w ? (Array.from(w)[0] ?? '') : ''))
    .join('')
    .toUpperCase();
}

/** A stable hue (0-359) for a user id, used to colour avatar placeholders. */
export function hueFor(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 360;
}

/** "1.2 MB", "512 B". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** "3 h 5 min", "42 s": for uptime and the key-derivation timer. */
export function formatDuration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
