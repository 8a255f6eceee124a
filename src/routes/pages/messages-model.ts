// The messages panel of the dossier pages (templates/pages/partials/dossier-messages.hbs), staff and citizen alike.
import { MAX_MESSAGE_LENGTH, MESSAGES_SHOWN, type DossierMessages } from '../../services/messages/dossier-messages.js';

/** A message refused by the rules, drawn again with what was typed. */
export interface MessageFormState { error?: string; value?: string }

export function messagesPanel(messages: DossierMessages, postUrl: string, asStaff: boolean, form: MessageFormState = {}) {
  return {
    // Line breaks as the writer made them, without letting the text write HTML (each line is escaped).
    items: messages.items.map((m) => ({ ...m, lines: m.body.split('\n') })),
    canWrite: messages.canWrite, postUrl, asStaff, maxLength: MAX_MESSAGE_LENGTH,
    earlierNote: messages.hasEarlier ? `Chỉ hiển thị ${MESSAGES_SHOWN} tin nhắn gần nhất.` : null,
    error: form.error, value: form.value ?? '',
  };
}
