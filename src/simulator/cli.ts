#!/usr/bin/env node
/**
 * livetranslate-sim: runs the simulator until SIGINT/SIGTERM. See docs/simulator.md.
 */
import { parseCliArgs, USAGE } from './cli-args';
import { loadScripts } from './script';
import { Simulator } from './server';

function main(): void {
  let args;
  let loaded;
  try {
    args = parseCliArgs(process.argv.slice(2), process.env);
    loaded = loadScripts(args.scripts);
  } catch (err) {
    process.stderr.write(`livetranslate-sim: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const quiet = args.quiet;
  const sim = new Simulator({
    port: args.port,
    host: args.host,
    apiKey: args.key,
    script: loaded.script,
    scenes: loaded.scenes,
    variants: args.variants,
    realtime: !args.fast,
    silenceMs: args.silenceMs,
    speechThreshold: args.threshold,
    faults: args.idleTimeoutS > 0 ? { idleTimeoutMs: args.idleTimeoutS * 1000 } : undefined,
    log: quiet ? undefined : (line) => process.stdout.write(`[sim] ${line}\n`),
  });
  // A long-running simulator must not keep every finished session's audio.
  sim.on('close', (rec) => {
    const i = sim.sessions.indexOf(rec);
    if (i >= 0) sim.sessions.splice(i, 1);
  });
  sim.start().then((url) => {
    // One write, so that whoever waits for the URL line sees the notice with it.
    process.stdout.write(`Simulator listening on ${url}\n` +
      `Replies are simulated (${loaded.script.length ? `${loaded.script.length} scripted, in a loop` : 'generic'}; ` +
      `${args.fast ? 'fast' : 'real-time pace'}); API key: ${args.key ? 'required (as given)' : 'any non-empty key'}.\n`);
  }, (err: Error) => {
    process.stderr.write(`livetranslate-sim: cannot listen on ${args.host}:${args.port}: ${err.message}\n`);
    process.exit(1);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!quiet) process.stdout.write(`[sim] ${signal}: stopping\n`);
    sim.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main();
