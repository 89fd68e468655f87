// Image type by magic bytes (DESIGN §4 "Avatars"); the client's Content-Type is not trusted.

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const GIF87 = [...'GIF87a'].map((ch) => ch.charCodeAt(0));
const GIF89 = [...'GIF89a'].map((ch) => ch.charCodeAt(0));
const RIFF = [...'RIFF'].map((ch) => ch.charCodeAt(0));
const WEBP = [...'WEBP'].map((ch) => ch.charCodeAt(0));

function startsWith(data: Uint8Array, magic: number[], offset = 0): boolean {
  if (data.length < offset + magic.length) return false;
  return magic.every((b, i) => data[offset + i] === b);
}

export function detectImageType(data: Uint8Array): ImageMime | null {
  if (startsWith(data, PNG)) return 'image/png';
  if (startsWith(data, JPEG)) return 'image/jpeg';
  if (startsWith(data, GIF87) || startsWith(data, GIF89)) return 'image/gif';
  if (startsWith(data, RIFF) && startsWith(data, WEBP, 8)) return 'image/webp';
  return null;
}
