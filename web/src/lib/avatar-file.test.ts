import { describe, expect, it } from 'vitest';
import { avatarProblem, sniffImageType } from './avatar-file';
import { AVATAR_MAX_BYTES } from './limits';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const WEBP = new Uint8Array([0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50]);

describe('avatar checks', () => {
  it('recognises image types by their magic bytes', () => {
    expect(sniffImageType(PNG)).toBe('image/png');
    expect(sniffImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImageType(new TextEncoder().encode('GIF89a'))).toBe('image/gif');
    expect(sniffImageType(WEBP)).toBe('image/webp');
    expect(sniffImageType(new TextEncoder().encode('<svg xmlns'))).toBeNull();
  });

  it('refuses files that are too large, empty, or not images', () => {
    expect(avatarProblem({ size: AVATAR_MAX_BYTES + 1, type: 'image/png' }, PNG)).toMatch(/limit/);
    expect(avatarProblem({ size: 0, type: 'image/png' }, PNG)).toMatch(/empty/);
    expect(avatarProblem({ size: 10, type: 'image/png' }, new TextEncoder().encode('<html>'))).toMatch(
      /PNG, JPEG/,
    );
    expect(avatarProblem({ size: 10, type: 'image/png' }, PNG)).toBeNull();
  });
});
