import type { Usage } from '../protocol';

export interface UsageTotals {
  responses: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  input_audio_tokens: number;
  input_image_tokens: number;
  input_text_tokens: number;
  output_audio_tokens: number;
  output_text_tokens: number;
}

/** Running token totals of a session, from each response.done's usage. */
export class UsageMeter {
  private totals: UsageTotals = UsageMeter.zero();

  static zero(): UsageTotals {
    return {
      responses: 0, input_tokens: 0, output_tokens: 0, total_tokens: 0, input_audio_tokens: 0,
      input_image_tokens: 0, input_text_tokens: 0, output_audio_tokens: 0, output_text_tokens: 0,
    };
  }

  add(usage: Usage | undefined): UsageTotals {
    const t = this.totals;
    t.responses++;
    if (usage) {
      const n = (v: unknown) => (typeof v === 'number' && isFinite(v) ? v : 0);
      t.input_tokens += n(usage.input_tokens);
      t.output_tokens += n(usage.output_tokens);
      t.total_tokens += n(usage.total_tokens);
      const inD = usage.input_tokens_details || {};
      const outD = usage.output_tokens_details || {};
      t.input_audio_tokens += n(inD.audio_tokens);
      t.input_image_tokens += n(inD.image_tokens);
      t.input_text_tokens += n(inD.text_tokens);
      t.output_audio_tokens += n(outD.audio_tokens);
      t.output_text_tokens += n(outD.text_tokens);
    }
    return { ...t };
  }

  get current(): UsageTotals {
    return { ...this.totals };
  }

  reset(): void {
    this.totals = UsageMeter.zero();
  }
}
