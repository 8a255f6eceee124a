// A real local SMTP server (smtp-server) that keeps every message it receives, parsed (mailparser): the e-mail
// tests read what a citizen would get.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface MailCatcher { port: number; inbox: ParsedMail[]; close(): Promise<void> }

/**
 * `refuses`: recipients it answers 550 (a full mailbox), as a mail server refusing one address of several does.
 * `holds`: a recipient it answers only when the promise returned for it settles (a server hanging mid-send).
 */
export async function startMailCatcher(options: { refuses?: (address: string) => boolean; holds?: (address: string) => Promise<void> | undefined } = {}): Promise<MailCatcher> {
  const inbox: ParsedMail[] = [];
  const server = new SMTPServer({
    // A plain local relay: no TLS upgrade and no login.
    disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onRcptTo(address, _session, callback) {
      if (options.refuses?.(address.address)) callback(Object.assign(new Error('550 mailbox unavailable'), { responseCode: 550 }));
      else {
        const held = options.holds?.(address.address);
        if (held) void held.then(() => callback());
        else callback();
      }
    },
    onData(stream, _session, callback) { simpleParser(stream).then((mail) => { inbox.push(mail); callback(); }, callback); },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as { port: number }).port,
    inbox,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
