/** Lower-case, without Vietnamese diacritics: "Chuyển trường" and "chuyen truong" compare equal (searches, filters). */
export function foldAccents(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}
