// CSV as Vietnamese offices open it: RFC 4180, UTF-8 with a byte-order mark (so Excel shows the diacritics), CRLF
// line ends, and cells that a spreadsheet would run as a formula neutralised (CSV injection).

export const CSV_BOM = '\uFEFF';

/** A cell spreadsheet programs would run as a formula (=, +, -, @, tab, CR) is prefixed with ' (CSV injection). */
function safeCell(value: string | number): string {
  const text = String(value).normalize('NFC');
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One line, CRLF included. */
export function csvRow(values: ReadonlyArray<string | number>): string {
  return `${values.map((v) => {
    const text = safeCell(v);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }).join(',')}\r\n`;
}
