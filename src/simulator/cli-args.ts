/** Command-line parsing for livetranslate-sim, apart from the CLI so that it can be tested. */
import type { PartialStyle } from './partials';
import { resolveVariants, type SimVariants } from './variants';

export interface CliArgs {
  port: number;
  host: string;
  key?: string;
  /** Script files, read in order and joined (--script may be given more than once). */
  scripts: string[];
  fast: boolean;
  /** Variants of the replies (partial style, pace…); only those given on the command line. */
  variants: SimVariants;
  silenceMs?: number;
  threshold?: number;
  /** Seconds without a response after which a session is closed, like the service (0 = never). */
  idleTimeoutS: number;
  quiet: boolean;
  help: boolean;
}

export const USAGE = `Usage: livetranslate-sim [options]

A local simulator of Alibaba's qwen3-livetranslate-flash-realtime WebSocket service.
Replies are simulated: scripted or generic text, synthetic (non-speech) audio.

  --port N         port to listen on (default 8765; 0 = any free port)
  --host H         address to bind (default 127.0.0.1, loopback only)
  --key K          accept only this API key (default: any non-empty key)
                   (or set LIVETRANSLATE_SIM_KEY)
  --script FILE    JSON replies: [{"transcript": "...", "translation": "..."}, ...]
                   (may be given more than once: the scripts are joined)
  --fast           send each reply at once instead of at the service's pace
  --silence MS     trailing silence that ends an utterance (default 800)
  --threshold DB   speech energy threshold in dBFS (default -45)
  --idle-timeout S close sessions with no response for S seconds, like the
                   service (default 300; 0 = never)
Variants (how the real service may behave; see docs/simulator.md):
  --partials STYLE cumulative (default) | incremental | delta
  --no-stash       partials without a stash field
  --empty-final    after each response, one whose final text is blank
  --repeat-done    every final (*.done) sent twice
  --translation-first  the translation ends before the source transcript
  --transcription-fails  transcription.failed instead of the transcript
  --after-speech   reply only after the speaker stops (default: partials
                   while speech continues, as simultaneous interpretation)
  --update-every MS  speech between two updates while speaking (default 1500)

  --quiet          log only the listening line
  --help           this text
`;

function num(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || v === '' || !Number.isFinite(n)) throw new Error(`${flag} needs a number`);
  return n;
}

function str(flag: string, v: string | undefined): string {
  if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
  return v;
}

export function parseCliArgs(argv: string[], env: Record<string, string | undefined> = {}): CliArgs {
  const a: CliArgs = { port: 8765, host: '127.0.0.1', scripts: [], fast: false, variants: {}, idleTimeoutS: 300, quiet: false, help: false };
  const v = a.variants;
  if (env.LIVETRANSLATE_SIM_KEY) a.key = env.LIVETRANSLATE_SIM_KEY;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--port': a.port = num(flag, value()); break;
      case '--host': a.host = str(flag, value()); break;
      case '--key': a.key = str(flag, value()); break;
      case '--script': a.scripts.push(str(flag, value())); break;
      case '--partials': v.partials = str(flag, value()) as PartialStyle; break;
      case '--no-stash': v.stash = false; break;
      case '--empty-final': v.emptyFinal = true; break;
      case '--repeat-done': v.repeatDone = true; break;
      case '--translation-first': v.translationFirst = true; break;
      case '--transcription-fails': v.transcriptionFails = true; break;
      case '--after-speech': v.pace = 'after-speech'; break;
      case '--update-every': v.updateEveryMs = num(flag, value()); break;
      case '--silence': a.silenceMs = num(flag, value()); break;
      case '--threshold': a.threshold = num(flag, value()); break;
      case '--idle-timeout': a.idleTimeoutS = num(flag, value()); break;
      case '--fast': a.fast = true; break;
      case '--quiet': a.quiet = true; break;
      case '--help': case '-h': a.help = true; break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new Error('--port must be 0..65535');
  resolveVariants(v);
  return a;
}
