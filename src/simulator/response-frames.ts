/**
 * The frames of one response, built with its ids: the item announcement, the response's start,
 * a translation partial in the configured style, an audio chunk, and the closing `*.done` events
 * with usage. Knows the shapes (docs/protocol.md); reply.ts decides when each goes out.
 */
import { DEFAULT_VOICE, type WireSessionConfig } from '../protocol/catalog';
import type { ContentPart, ResponseItem, ResponseObject, ServerEvent, Usage } from '../protocol/events';
import { makeId } from '../protocol/ids';
import type { PartialFields } from './partials';

/** Any server event without its envelope id (Omit distributed over the union). */
type Unstamped = ServerEvent extends infer E ? (E extends ServerEvent ? Omit<E, 'event_id'> : never) : never;

export function ev(e: Unstamped): ServerEvent {
  return { event_id: makeId('event'), ...e } as ServerEvent;
}

export class ResponseFrames {
  readonly responseId = makeId('resp');
  readonly itemId = makeId('item');
  private readonly ref: { response_id: string; item_id: string; output_index: number; content_index: number };
  private readonly partType: ContentPart['type'];

  constructor(private readonly config: WireSessionConfig, private readonly conversationId: string, private readonly audioMode: boolean) {
    this.ref = { response_id: this.responseId, item_id: this.itemId, output_index: 0, content_index: 0 };
    this.partType = audioMode ? 'audio' : 'text';
  }

  private item(status: ResponseItem['status'], content: ContentPart[]): ResponseItem {
    return { id: this.itemId, object: 'realtime.item', type: 'message', status, role: 'assistant', content };
  }

  private response(status: ResponseObject['status'], output: ResponseItem[]): ResponseObject {
    const c = this.config;
    return {
      id: this.responseId, object: 'realtime.response', conversation_id: this.conversationId, status,
      modalities: Array.isArray(c.modalities) ? c.modalities.slice() : ['text', 'audio'],
      voice: typeof c.voice === 'string' ? c.voice : DEFAULT_VOICE, output_audio_format: String(c.output_audio_format || 'pcm24'), output,
    };
  }

  /**
   * As in [G35]: the translation's item is announced with previous_item_id = the source item,
   * which is how a client can pair a source transcript with its translation.
   */
  itemCreated(inputItemId: string): ServerEvent {
    return ev({ type: 'conversation.item.created', previous_item_id: inputItemId, item: { ...this.item('in_progress', []) } });
  }

  start(): ServerEvent[] {
    return [
      ev({ type: 'response.created', response: this.response('in_progress', []) }),
      ev({ type: 'response.output_item.added', response_id: this.responseId, output_index: 0, item: this.item('in_progress', []) }),
      ev({ type: 'response.content_part.added', ...this.ref, part: { type: this.partType, text: '' } }),
    ];
  }

  /** A translation partial: `…text` with text (and stash), or `…delta` with delta. */
  partial(p: PartialFields): ServerEvent {
    if (p.delta !== undefined) {
      // response.text.delta is not in the qwen3 catalogue; it is what other realtime models send.
      const type = this.audioMode ? 'response.audio_transcript.delta' : 'response.text.delta';
      return ev({ type, ...this.ref, delta: p.delta });
    }
    const type = this.audioMode ? 'response.audio_transcript.text' : 'response.text.text';
    return ev({ type, ...this.ref, text: p.text || '', ...(p.stash !== undefined ? { stash: p.stash } : {}) });
  }

  audio(chunk: Buffer): ServerEvent {
    return ev({ type: 'response.audio.delta', ...this.ref, delta: chunk.toString('base64') });
  }

  /** `*.done` (twice when `repeatDone`), audio.done, content_part.done, output_item.done, response.done. */
  tail(text: string, usage: Usage, repeatDone: boolean): ServerEvent[] {
    const done = () => (this.audioMode
      ? ev({ type: 'response.audio_transcript.done', ...this.ref, transcript: text })
      : ev({ type: 'response.text.done', ...this.ref, text }));
    const out: ServerEvent[] = [done()];
    if (repeatDone) out.push(done());
    if (this.audioMode) out.push(ev({ type: 'response.audio.done', ...this.ref }));
    const finalPart: ContentPart = { type: this.partType, text };
    const doneContent: ContentPart = this.audioMode ? { type: 'audio', transcript: text } : { type: 'text', text };
    out.push(
      ev({ type: 'response.content_part.done', ...this.ref, part: finalPart }),
      ev({ type: 'response.output_item.done', response_id: this.responseId, output_index: 0, item: this.item('completed', [finalPart]) }),
      ev({ type: 'response.done', response: { ...this.response('completed', [this.item('completed', [doneContent])]), usage } }),
    );
    return out;
  }
}
