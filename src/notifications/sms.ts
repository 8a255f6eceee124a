// SMS delivery behind an interface: a province plugs in its carrier's or the national platform's gateway here.
// The only implementation today writes the message to the log, marked as NOT SENT.
import type { Logger } from 'pino';

export interface SmsSender {
  readonly kind: string;
  send(phone: string, text: string): Promise<void>;
}

export class LogSmsSender implements SmsSender {
  readonly kind = 'log';
  constructor(private readonly log: Logger) {}

  async send(phone: string, text: string): Promise<void> {
    this.log.info({ sms: { to: phone, text } }, `SMS NOT SENT (no SMS gateway configured) — to ${phone}: ${text}`);
  }
}

export function smsSenderFor(log: Logger): SmsSender {
  return new LogSmsSender(log);
}
