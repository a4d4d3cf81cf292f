/**
 * Whether someone is speaking, from the service's events: from speech_started until a grace period after
 * speech_stopped (the picture still explains what was just said); a partial transcript keeps the window
 * open. Used to send images only while they help. No Node-RED here.
 */

/** Speech counts as active this long after the service last said so. */
export const SPEECH_GRACE_MS = 2000;

export class SpeechWindow {
  private until = 0;

  constructor(private readonly now: () => number = () => Date.now()) {
    // Bound, so the window itself can be handed to a session as its listener.
    this.event = this.event.bind(this);
    this.state = this.state.bind(this);
  }

  /** Notes one server event (a session listener's `event`). */
  event(event: { type: string }): void {
    const type = event.type;
    if (type === 'input_audio_buffer.speech_started') this.until = Infinity;
    else if (type === 'input_audio_buffer.speech_stopped') this.until = this.now() + SPEECH_GRACE_MS;
    else if (type === 'conversation.item.input_audio_transcription.text' && this.until !== Infinity) {
      this.until = Math.max(this.until, this.now() + SPEECH_GRACE_MS);
    }
  }

  /** A session listener's `state`: once the connection is not open, no one speaks until the service says so again. */
  state(state: string): void {
    if (state !== 'open') this.until = 0;
  }

  get active(): boolean {
    return this.now() < this.until;
  }
}
