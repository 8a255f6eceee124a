// E-mail delivery. With SMTP_URL set, nodemailer sends through that server; without it the message is written to
// the log, marked as NOT SENT, so a development or demo install shows what a citizen would receive. The sender's
// address is MAIL_FROM's; its display name is the one MAIL_FROM gives, else the Department's (organisation settings).
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from '../config.js';

export interface MailMessage {
  to: string; subject: string; text: string; html?: string;
  /** RFC 5322 Message-ID, the same on every attempt of one message, so a resend after a crash is recognisably one. */
  messageId?: string;
  /** The sender's display name ("Dịch vụ công trực tuyến Sở …") when MAIL_FROM is a bare address; a name in MAIL_FROM wins. */
  fromName?: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'log';
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export class SmtpMailer implements Mailer {
  readonly kind = 'smtp' as const;
  private readonly transport: Transporter;

  constructor(url: string, private readonly from: string) {
    // Options such as ?pool=true (reuse connections in bursts) go in the URL itself.
    this.transport = nodemailer.createTransport(url);
  }

  async send(message: MailMessage): Promise<void> {
    const { fromName, ...rest } = message;
    await this.transport.sendMail({ ...rest, from: fromName && !/</.test(this.from) ? { name: fromName, address: senderAddress(this.from) } : this.from });
  }

  close(): void {
    this.transport.close();
  }
}

export class LogMailer implements Mailer {
  readonly kind = 'log' as const;
  constructor(private readonly log: Logger) {}

  async send(message: MailMessage): Promise<void> {
    this.log.info({ mail: { to: message.to, fromName: message.fromName, subject: message.subject, text: message.text, messageId: message.messageId } },
      `EMAIL NOT SENT (SMTP_URL is not configured) — to ${message.to}: ${message.subject}`);
  }

  close(): void {}
}

/** The address part of MAIL_FROM ("Name <a@b>" or a bare address). */
export function senderAddress(from: string): string {
  return /<([^<>\s]+)>\s*$/.exec(from)?.[1] ?? from.trim();
}

// One mailer per configuration (process): the context is shared code, so the mailer hangs off the config object.
const mailers = new WeakMap<Config, Mailer>();

export function mailerFor(config: Config, log: Logger): Mailer {
  let mailer = mailers.get(config);
  if (!mailer) {
    mailer = config.mail.smtpUrl ? new SmtpMailer(config.mail.smtpUrl, config.mail.from) : new LogMailer(log);
    mailers.set(config, mailer);
  }
  return mailer;
}

/** Closes the pooled SMTP connection of this configuration (graceful shutdown, tests). */
export function closeMailer(config: Config): void {
  mailers.get(config)?.close();
  mailers.delete(config);
}
