// Checks an avatar file before upload: size, and type by its magic bytes (the browser's MIME,
// guessed from the file name, is not trusted).

import { formatBytes } from './format';
import { AVATAR_MAX_BYTES, type AVATAR_TYPES } from './limits';

export type AvatarMime = (typeof AVATAR_TYPES)[number];

/** The image type the first bytes announce, or null. */
export function sniffImageType(bytes: Uint8Array): AvatarMime | null {
  const b = (i: number) => bytes[i] ?? -1;
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return 'image/png';
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'image/jpeg';
  if (b(0) === 0x47 && b(1) === 0x49 && b(2) === 0x46 && b(3) === 0x38) return 'image/gif';
  if (
    b(0) === 0x52 &&
    b(1) === 0x49 &&
    b(2) === 0x46 &&
    b(3) === 0x46 &&
    b(8) === 0x57 &&
    b(9) === 0x45 &&
    b(10) === 0x42 &&
    b(11) === 0x50
  ) {
    return 'image/webp';
  }
  return null;
}

/** A readable reason the file cannot be an avatar, or null when it can. */
export function avatarProblem(file: { size: number; type: string }, head: Uint8Array): string | null {
  if (file.size === 0) return 'The file is empty.';
  if (file.size > AVATAR_MAX_BYTES) {
    return `The image is ${formatBytes(file.size)}; the limit is ${formatBytes(AVATAR_MAX_BYTES)}.`;
  }
  const sniffed = sniffImageType(head);
  if (!sniffed) return 'Use a PNG, JPEG, GIF or WebP image.';
  return null;
}
