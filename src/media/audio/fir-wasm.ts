/**
 * The resampler's inner loop, and the conversion of its output to PCM16, as a tiny hand-assembled WebAssembly
 * module using 128-bit SIMD.
 *
 * Why: 48 kHz -> 16 kHz is ~3.5 million multiply-adds per second of audio (48 taps per 24 kHz output of the
 * halving stage, 144 per 16 kHz output of the last; stage-plan.ts). f32x4 SIMD does 4 products per instruction
 * without bounds checks, several times the speed of the JavaScript loop. Four independent accumulators keep the
 * adds from waiting on each other (measured: 2 accumulators were ~1.5x slower). One kernel serves every stage:
 * a halving stage is the case of one phase and a step of 2 samples. WebAssembly is built into Node, so this
 * adds no dependency. If the host cannot compile it, the resampler uses its JS loop.
 *
 * The function, in WAT (all parameters i32, byte addresses into the imported memory):
 *
 *   (func (export "fir") (param $coefs $tapBytes $phases $x $frac $stepBytes $stepFrac $out $n)
 *     (local $cp $xp $end i32) (local $acc0 $acc1 $acc2 $acc3 v128)
 *     loop $each_output
 *       cp = coefs + frac * tapBytes ; end = cp + tapBytes ; xp = x ; acc0..acc3 = 0
 *       loop $taps            ;; 16 taps per turn, tapBytes is a multiple of 64
 *         acc0 += load(cp) * load(xp) ; acc1 += load(cp+16) * load(xp+16) ; (acc2, acc3 likewise at +32, +48)
 *         xp += 64 ; cp += 64 ; br_if $taps (cp < end)
 *       f32.store(out, horizontal sum of (acc0 + acc1) + (acc2 + acc3)) ; out += 4
 *       x += stepBytes ; frac += stepFrac ; if frac >= phases { frac -= phases ; x += 4 }
 *       n -= 1 ; br_if $each_output n
 *
 * And the conversion of its outputs to PCM16, 8 samples a turn, the same values as floatToPcm16 (pcm.ts):
 *
 *   (func (export "pcm16") (param $src $n $dst) (local $v $r $low v128)
 *     loop $each_8
 *       v = load(src) * 32768 ; r = nearest(v) ; r += (r - v == -0.5) ? 1 : 0    ;; Math.round: ties up
 *       low = trunc_sat(r) ; (v, r likewise at src + 16)
 *       store(dst, narrow_sat(low, trunc_sat(r)))   ;; saturation clips, trunc_sat maps NaN to 0
 *       src += 32 ; dst += 16 ; n -= 8 ; br_if $each_8 (n > 0)
 */

export type FirKernel = (coefs: number, tapBytes: number, phases: number, x: number, frac: number,
  stepBytes: number, stepFrac: number, out: number, n: number) => void;
/** Floats at byte `src` to PCM16 at byte `dst`, n rounded up to a multiple of 8 (the areas must have room). */
export type Pcm16Kernel = (src: number, n: number, dst: number) => void;

// Opcodes used below (core spec and the SIMD proposal, which is prefixed 0xFD).
const I32 = 0x7f, V128 = 0x7b;
const LOCAL_GET = 0x20, LOCAL_SET = 0x21, LOCAL_TEE = 0x22;
const I32_CONST = 0x41, I32_ADD = 0x6a, I32_SUB = 0x6b, I32_MUL = 0x6c, I32_LT_U = 0x49, I32_GE_U = 0x4f, I32_GT_S = 0x4a;
const LOOP = 0x03, IF = 0x04, END = 0x0b, BR_IF = 0x0d, VOID = 0x40;
const F32_ADD = 0x92, F32_STORE = 0x38;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00], V128_CONST = [SIMD, 0x0c];
const F32X4_EXTRACT = [SIMD, 0x1f], F32X4_ADD = [SIMD, 0xe4, 0x01], F32X4_MUL = [SIMD, 0xe6, 0x01];
const V128_STORE = [SIMD, 0x0b], V128_AND = [SIMD, 0x4e], F32X4_EQ = [SIMD, 0x41], F32X4_SUB = [SIMD, 0xe5, 0x01];
const F32X4_NEAREST = [SIMD, 0x6a], I32X4_TRUNC_SAT_F32X4_S = [SIMD, 0xf8, 0x01], I16X8_NARROW_I32X4_S = [SIMD, 0x85, 0x01];

// Parameter and local indices.
const COEFS = 0, TAP_BYTES = 1, PHASES = 2, X = 3, FRAC = 4, STEP_BYTES = 5, STEP_FRAC = 6, OUT = 7, N = 8;
const CP = 9, XP = 10, END_P = 11, ACC0 = 12, ACC1 = 13, ACC2 = 14, ACC3 = 15;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Buffer.from(s, 'utf8')];
}

const get = (i: number) => [LOCAL_GET, i];
const set = (i: number) => [LOCAL_SET, i];
const tee = (i: number) => [LOCAL_TEE, i];
const i32 = (v: number) => [I32_CONST, ...sleb(v)];
const load = (offset: number) => [...V128_LOAD, 0, ...uleb(offset)];
const zero = () => [...V128_CONST, ...new Array<number>(16).fill(0)];
/** A v128 constant of four equal float32s. */
const f32x4 = (v: number) => [...V128_CONST, ...[0, 1, 2, 3].flatMap(() => [...Buffer.from(new Float32Array([v]).buffer)])];

function sleb(n: number): number[] {
  // Only small non-negative constants are used here, so the unsigned encoding plus a clear sign bit suffices.
  const out = uleb(n);
  if (out[out.length - 1] & 0x40) {
    out[out.length - 1] |= 0x80;
    out.push(0);
  }
  return out;
}

function body(): number[] {
  const code = [
    LOOP, VOID,
    ...get(COEFS), ...get(FRAC), ...get(TAP_BYTES), I32_MUL, I32_ADD, ...tee(CP),
    ...get(TAP_BYTES), I32_ADD, ...set(END_P),
    ...get(X), ...set(XP),
    ...zero(), ...set(ACC0),
    ...zero(), ...set(ACC1),
    ...zero(), ...set(ACC2),
    ...zero(), ...set(ACC3),
    LOOP, VOID,
    ...get(ACC0), ...get(CP), ...load(0), ...get(XP), ...load(0), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC0),
    ...get(ACC1), ...get(CP), ...load(16), ...get(XP), ...load(16), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC1),
    ...get(ACC2), ...get(CP), ...load(32), ...get(XP), ...load(32), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC2),
    ...get(ACC3), ...get(CP), ...load(48), ...get(XP), ...load(48), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC3),
    ...get(XP), ...i32(64), I32_ADD, ...set(XP),
    ...get(CP), ...i32(64), I32_ADD, ...tee(CP),
    ...get(END_P), I32_LT_U, BR_IF, 0,
    END,
    ...get(OUT),
    ...get(ACC0), ...get(ACC1), ...F32X4_ADD, ...get(ACC2), ...get(ACC3), ...F32X4_ADD, ...F32X4_ADD, ...set(ACC0),
    ...get(ACC0), ...F32X4_EXTRACT, 0, ...get(ACC0), ...F32X4_EXTRACT, 1, F32_ADD,
    ...get(ACC0), ...F32X4_EXTRACT, 2, ...get(ACC0), ...F32X4_EXTRACT, 3, F32_ADD,
    F32_ADD,
    F32_STORE, 2, 0,
    ...get(OUT), ...i32(4), I32_ADD, ...set(OUT),
    ...get(X), ...get(STEP_BYTES), I32_ADD, ...set(X),
    ...get(FRAC), ...get(STEP_FRAC), I32_ADD, ...tee(FRAC),
    ...get(PHASES), I32_GE_U,
    IF, VOID,
    ...get(FRAC), ...get(PHASES), I32_SUB, ...set(FRAC),
    ...get(X), ...i32(4), I32_ADD, ...set(X),
    END,
    ...get(N), ...i32(1), I32_SUB, ...tee(N),
    BR_IF, 0,
    END,
    END,
  ];
  const locals = vec([[3, I32], [4, V128]]);
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

function pcm16Body(): number[] {
  const SRC = 0, COUNT = 1, DST = 2, V = 3, R = 4, LOW = 5;
  // r = Math.round(load(src + offset) * 32768) as four floats: nearest() rounds ties to even, so ties it
  // rounded down (r - v is exactly -0.5 there) go up by one.
  const rounded = (offset: number) => [
    ...get(SRC), ...load(offset), ...f32x4(32768), ...F32X4_MUL, ...set(V),
    ...get(V), ...F32X4_NEAREST, ...tee(R),
    ...get(R), ...get(V), ...F32X4_SUB, ...f32x4(-0.5), ...F32X4_EQ, ...f32x4(1), ...V128_AND,
    ...F32X4_ADD, ...I32X4_TRUNC_SAT_F32X4_S,
  ];
  const code = [
    LOOP, VOID,
    ...rounded(0), ...set(LOW),
    ...get(DST), ...get(LOW), ...rounded(16), ...I16X8_NARROW_I32X4_S, ...V128_STORE, 0, 0,
    ...get(SRC), ...i32(32), I32_ADD, ...set(SRC),
    ...get(DST), ...i32(16), I32_ADD, ...set(DST),
    ...get(COUNT), ...i32(8), I32_SUB, ...tee(COUNT), ...i32(0), I32_GT_S,
    BR_IF, 0,
    END,
    END,
  ];
  const fn = [...vec([[3, V128]]), ...code];
  return [...uleb(fn.length), ...fn];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const i32s = (n: number) => vec(new Array<number[]>(n).fill([I32]));
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...i32s(9), 0], [0x60, ...i32s(3), 0]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0], [1]])),
    ...section(7, vec([[...name('fir'), 0x00, 0], [...name('pcm16'), 0x00, 1]])),
    ...section(10, vec([body(), pcm16Body()])),
  ];
  return Uint8Array.from(bytes);
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable (then the JS loop is used). */
export function firModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(moduleBytes());
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** The kernels bound to `memory`; the memory may grow later (the instance sees the same memory). */
export function instantiateFir(memory: WebAssembly.Memory): { fir: FirKernel; pcm16: Pcm16Kernel } | null {
  const mod = firModule();
  if (!mod) return null;
  const instance = new WebAssembly.Instance(mod, { env: { memory } });
  return { fir: instance.exports.fir as FirKernel, pcm16: instance.exports.pcm16 as Pcm16Kernel };
}
