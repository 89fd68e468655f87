// Zod 4 probes for `new Function` to JIT-compile object parsers; under the relay's CSP (no
// 'unsafe-eval') that probe is reported as a violation. Parse without JIT instead. Import this
// module first in every entry point (page and workers).
import { z } from 'zod';

z.config({ jitless: true });
