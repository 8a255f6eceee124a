// The registration form's choices as a campaign reads them: fields choice1 … choiceN, shared out among the campaign's
// categories in category order (the first c1 fields belong to category 1, …), and the rules a set of choices must
// keep. Pure: intake, the adjustment window and the assignment job all read choices through here, so they agree.

/** The most choices a campaign may allow (Ho Chi Minh City 2025 had 8); the form has this many choice fields. */
export const MAX_REGISTRATION_CHOICES = 8;
export const CHOICE_FIELDS = ['choice1', 'choice2', 'choice3', 'choice4', 'choice5', 'choice6', 'choice7', 'choice8'] as const;
export type ChoiceField = (typeof CHOICE_FIELDS)[number];

export interface ChoiceCategory { id: string; label: string; choices: number }
export interface CampaignChoices { choices: number; categories: ChoiceCategory[] }

/** One choice field of a campaign: its number (1-based), and its category ('' without categories). */
export interface ChoiceSlot { field: ChoiceField; rank: number; category: string }

/** The campaign's choice fields in order, each with its category. */
export function choiceSlots(campaign: CampaignChoices): ChoiceSlot[] {
  const n = Math.min(campaign.choices, CHOICE_FIELDS.length);
  const categoryOf: string[] = [];
  for (const c of campaign.categories) for (let i = 0; i < c.choices; i++) categoryOf.push(c.id);
  return CHOICE_FIELDS.slice(0, n).map((field, i) => ({ field, rank: i + 1, category: categoryOf[i] ?? '' }));
}

/** The filled choices of a form, in field order, with their slot. */
export function filledChoices(campaign: CampaignChoices, formData: Record<string, unknown>): Array<ChoiceSlot & { unitId: string }> {
  return choiceSlots(campaign).flatMap((slot) => {
    const value = formData[slot.field];
    return typeof value === 'string' && value !== '' ? [{ ...slot, unitId: value }] : [];
  });
}

/**
 * The problems of a form's choices, by field: a choice beyond the campaign's N, a gap (choice k+1 without k in the same
 * category), a school not in the campaign, a school not offering the field's category, a school twice in one category.
 * `schools` maps each school of the campaign to the categories it offers (ignored without categories).
 */
export function choiceProblems(
  campaign: CampaignChoices, schools: ReadonlyMap<string, ReadonlySet<string>>, formData: Record<string, unknown>,
): Record<string, string> {
  const problems: Record<string, string> = {};
  const n = Math.min(campaign.choices, CHOICE_FIELDS.length);
  for (const field of CHOICE_FIELDS.slice(n)) {
    const value = formData[field];
    if (value !== undefined && value !== null && value !== '') problems[field] = `Kỳ tuyển sinh này cho đăng ký tối đa ${n} nguyện vọng.`;
  }
  const labelOf = new Map(campaign.categories.map((c) => [c.id, c.label]));
  const slots = choiceSlots(campaign);
  const seen = new Map<string, Set<string>>();
  slots.forEach((slot, i) => {
    const value = formData[slot.field];
    if (typeof value !== 'string' || value === '') return;
    const previous = slots[i - 1];
    if (previous && previous.category === slot.category && !filled(formData[previous.field])) {
      problems[slot.field] = `Cần chọn nguyện vọng ${previous.rank} trước nguyện vọng ${slot.rank}.`;
      return;
    }
    const inCategory = seen.get(slot.category) ?? new Set<string>();
    seen.set(slot.category, inCategory);
    const offered = schools.get(value);
    if (inCategory.has(value)) {
      problems[slot.field] = slot.category === '' ? 'Các nguyện vọng phải là các trường khác nhau.'
        : `Các nguyện vọng trong nhóm "${labelOf.get(slot.category)}" phải là các trường khác nhau.`;
    } else if (!offered) {
      problems[slot.field] = 'Trường này không tuyển sinh trong kỳ đã chọn.';
    } else if (slot.category !== '' && !offered.has(slot.category)) {
      problems[slot.field] = `Trường này không tuyển sinh nhóm "${labelOf.get(slot.category)}".`;
    }
    inCategory.add(value);
  });
  return problems;
}

function filled(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}
