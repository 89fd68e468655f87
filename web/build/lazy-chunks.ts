// Which chunks the app loads with import() (libsodium), from Rolldown's output graph. index.html
// names only the eager ones, so sri.ts needs this list to put the lazy ones in the import map that
// makes the browser check them too.

/** The parts of a Rolldown output chunk this reads. */
export interface ChunkLike {
  type: 'chunk';
  fileName: string;
  isEntry: boolean;
  imports: string[];
  dynamicImports: string[];
}

export type BundleLike = Record<string, ChunkLike | { type: 'asset' }>;

/** Every chunk reachable from `starts` through `edges`, in breadth-first order. */
function reach(bundle: BundleLike, starts: string[], edges: (c: ChunkLike) => string[]): string[] {
  const seen = new Set<string>();
  const queue = [...starts];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const chunk = bundle[file];
    if (seen.has(file) || chunk?.type !== 'chunk') continue;
    seen.add(file);
    queue.push(...edges(chunk));
  }
  return [...seen];
}

/**
 * The files the entry chunks can import() (with everything those import in turn), minus the
 * ones they load at once through static imports. Workers are assets here, not chunks.
 */
export function lazyChunks(bundle: BundleLike): string[] {
  const entries = Object.values(bundle).filter((c): c is ChunkLike => c.type === 'chunk' && c.isEntry);
  const eager = new Set(
    reach(
      bundle,
      entries.map((e) => e.fileName),
      (c) => c.imports,
    ),
  );
  const all = reach(
    bundle,
    entries.flatMap((e) => e.dynamicImports),
    (c) => [...c.imports, ...c.dynamicImports],
  );
  return all.filter((file) => !eager.has(file));
}
