import { describe, expect, it } from 'vitest';
import { type ChunkLike, lazyChunks } from '../build/lazy-chunks';

const chunk = (
  fileName: string,
  imports: string[] = [],
  dynamicImports: string[] = [],
  isEntry = false,
): ChunkLike => ({
  type: 'chunk',
  fileName,
  isEntry,
  imports,
  dynamicImports,
});

describe('lazyChunks', () => {
  it('lists what the entry import()s, with its static imports, but not what the entry loads at once', () => {
    const bundle = {
      'assets/index.js': chunk('assets/index.js', ['assets/vendor.js'], ['assets/sodium.js'], true),
      'assets/vendor.js': chunk('assets/vendor.js'),
      // libsodium imports a helper back from the entry and a chunk of its own.
      'assets/sodium.js': chunk('assets/sodium.js', ['assets/index.js', 'assets/sodium-core.js']),
      'assets/sodium-core.js': chunk('assets/sodium-core.js', ['assets/vendor.js']),
      'assets/kdf.worker.js': { type: 'asset' as const },
    };
    expect(lazyChunks(bundle)).toEqual(['assets/sodium.js', 'assets/sodium-core.js']);
  });

  it('follows import() inside lazy chunks, and stops at cycles', () => {
    const bundle = {
      'a.js': chunk('a.js', [], ['b.js'], true),
      'b.js': chunk('b.js', [], ['c.js']),
      'c.js': chunk('c.js', [], ['b.js']),
    };
    expect(lazyChunks(bundle)).toEqual(['b.js', 'c.js']);
  });

  it('is empty for an app with no import()', () => {
    expect(lazyChunks({ 'a.js': chunk('a.js', ['b.js'], [], true), 'b.js': chunk('b.js') })).toEqual([]);
  });
});
