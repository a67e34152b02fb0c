// zod, configured once for a strict Content-Security-Policy: zod 4 compiles object parsers
// with `new Function` unless jitless, and even its caught probe for eval is reported as a
// CSP violation. The flag is read when a schema is built, so every module that builds
// schemas imports z from here (evaluated before any schema of its own).
import { z } from 'zod';

z.config({ jitless: true });

export { z };
