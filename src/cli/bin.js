#!/usr/bin/env node
// The `tuning-lab` command: the lab's TypeScript sources run as they are through tsx (no
// build step to keep in step with them), so the CLI trains with the very modules the lab does.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
// Exit at once: a live Dawn instance would otherwise keep Node running.
process.exit(await main(process.argv.slice(2)));
