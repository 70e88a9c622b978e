#!/usr/bin/env node
/**
 * The `video-status-client-server` command of the npm package: the
 * simulator's command line under Node.js (or Bun). `scripts/build_npm.ts`
 * bundles it; under Deno, run `server.ts` instead.
 *
 * @module
 */

import { runCli } from "../simulator/cli.ts";

await runCli("video-status-client-server");
