// Where the relay finds the files it ships with: the repository's drizzle/ migrations and the
// built web app. Found from this module's own location, so that the relay starts from any working
// directory. This file sits one level below server/, as does the compiled server/dist/index.js
// (esbuild resolves import.meta.url to the output file), so one path serves both.
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
