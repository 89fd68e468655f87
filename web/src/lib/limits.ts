// Client-side limits shown in forms (the relay enforces its own).

/** Longest message text the composer accepts (well under the relay's 64 KiB ciphertext cap). */
export const MAX_MESSAGE_CHARS = 4000;

/** Avatar upload limits (the relay's default AVATAR_MAX_BYTES is 512 KiB). */
export const AVATAR_MAX_BYTES = 512 * 1024;
export const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
