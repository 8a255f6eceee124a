// The registration's choices as a campaign reads them (admissions/choices.ts): fields shared out among categories in
// order, and the rules intake and the adjustment window both apply.
import { describe, expect, it } from 'vitest';
import { choiceProblems, choiceSlots, filledChoices } from '../../src/admissions/choices.js';

const plain = { choices: 3, categories: [] };
const hcm = { choices: 8, categories: [{ id: 'chuyen', label: 'Chuyên', choices: 2 }, { id: 'tich-hop', label: 'Tích hợp', choices: 2 }, { id: 'thuong', label: 'Thường', choices: 4 }] };
const schools = new Map<string, Set<string>>([['a', new Set(['chuyen', 'thuong'])], ['b', new Set(['thuong', 'tich-hop'])], ['c', new Set(['thuong'])]]);

describe('choice slots', () => {
  it('gives every field its category in category order, none without categories', () => {
    expect(choiceSlots(plain).map((s) => [s.field, s.category])).toEqual([['choice1', ''], ['choice2', ''], ['choice3', '']]);
    expect(choiceSlots(hcm).map((s) => s.category)).toEqual(['chuyen', 'chuyen', 'tich-hop', 'tich-hop', 'thuong', 'thuong', 'thuong', 'thuong']);
  });

  it('lists the filled choices with their field number and category', () => {
    expect(filledChoices(hcm, { choice1: 'a', choice5: 'b', choice6: 'a', choice9: 'x' }))
      .toEqual([{ field: 'choice1', rank: 1, category: 'chuyen', unitId: 'a' }, { field: 'choice5', rank: 5, category: 'thuong', unitId: 'b' }, { field: 'choice6', rank: 6, category: 'thuong', unitId: 'a' }]);
  });
});

describe('choice problems', () => {
  it('accepts good choices, and the same school in two categories', () => {
    expect(choiceProblems(plain, schools, { choice1: 'a', choice2: 'b' })).toEqual({});
    expect(choiceProblems(hcm, schools, { choice1: 'a', choice3: 'b', choice5: 'a', choice6: 'b', choice7: 'c' })).toEqual({});
  });

  it('refuses a choice beyond N, a gap within a category, a school twice in a category, an unknown school or category', () => {
    expect(choiceProblems(plain, schools, { choice1: 'a', choice4: 'b' })).toEqual({ choice4: 'Kỳ tuyển sinh này cho đăng ký tối đa 3 nguyện vọng.' });
    expect(choiceProblems(plain, schools, { choice1: 'a', choice3: 'b' })).toEqual({ choice3: 'Cần chọn nguyện vọng 2 trước nguyện vọng 3.' });
    expect(choiceProblems(plain, schools, { choice1: 'a', choice2: 'a' })).toEqual({ choice2: 'Các nguyện vọng phải là các trường khác nhau.' });
    expect(choiceProblems(plain, schools, { choice1: 'z' })).toEqual({ choice1: 'Trường này không tuyển sinh trong kỳ đã chọn.' });
    // A category left empty is fine (choice5 opens "Thường" without choice4 of "Tích hợp"); a gap inside one is not.
    expect(choiceProblems(hcm, schools, { choice1: 'a', choice5: 'c', choice7: 'b' })).toEqual({ choice7: 'Cần chọn nguyện vọng 6 trước nguyện vọng 7.' });
    expect(choiceProblems(hcm, schools, { choice1: 'a', choice2: 'a' })).toEqual({ choice2: 'Các nguyện vọng trong nhóm "Chuyên" phải là các trường khác nhau.' });
    expect(choiceProblems(hcm, schools, { choice1: 'c' })).toEqual({ choice1: 'Trường này không tuyển sinh nhóm "Chuyên".' });
  });
});
