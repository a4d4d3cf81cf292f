/**
 * What a session is doing, in the words a node status shows: derived from the connection state
 * and the service's events (speech detected, translation under way).
 */
import type { ServerEvent } from '../protocol';
import type { SessionState, StateReason } from './realtime-session';

export type Activity = 'idle' | 'connecting' | 'connected' | 'speaking' | 'translating' | 'finishing' | 'disconnected' | 'failed';

export class ActivityTracker {
  private state: SessionState = 'idle';
  private speaking = false;
  private responses = new Set<string>();
  reason: StateReason | undefined;

  onState(state: SessionState, reason?: StateReason): Activity {
    this.state = state;
    this.reason = reason;
    if (state !== 'open') {
      this.speaking = false;
      this.responses.clear();
    }
    return this.current;
  }

  /** Returns the new activity when the event changed it, undefined otherwise. */
  onEvent(event: ServerEvent): Activity | undefined {
    const before = this.current;
    switch (event.type) {
      case 'input_audio_buffer.speech_started': this.speaking = true; break;
      case 'input_audio_buffer.speech_stopped': this.speaking = false; break;
      case 'response.created': if (event.response && event.response.id) this.responses.add(event.response.id); break;
      case 'response.done': if (event.response && event.response.id) this.responses.delete(event.response.id); break;
      default: return undefined;
    }
    const after = this.current;
    return after !== before ? after : undefined;
  }

  get current(): Activity {
    switch (this.state) {
      case 'idle': return 'idle';
      case 'connecting': return 'connecting';
      case 'closing': return 'finishing';
      case 'closed': return this.reason && !this.reason.retry ? 'failed' : 'disconnected';
      case 'failed': return 'failed';
      case 'open':
        if (this.speaking) return 'speaking';
        if (this.responses.size > 0) return 'translating';
        return 'connected';
    }
  }
}
