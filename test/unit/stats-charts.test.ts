// The dashboard's SVG chart geometry: bar heights follow the rates and counts, empty months draw nothing, labels
// carry the figures (the text alternative screen readers get).
import { describe, expect, it } from 'vitest';
import { statsCharts } from '../../src/routes/pages/charts.js';
import type { ServiceStats } from '../../src/services/reporting/stats.js';

const month = (m: string, dossiers: number, rates: [number | null, number | null, number | null], lateOpen = 0) => ({
  month: m, dossiers, online: 0, completed: 0, onTime: 0, lateOpen, rated: 0, unsatisfied: 0, satisfactory: 0,
  onlineRate: rates[0], onTimeRate: rates[1], satisfactionRate: rates[2],
});

describe('dashboard charts', () => {
  const stats = { byMonth: [month('2026-10', 0, [null, null, null]), month('2026-11', 8, [1, 0.5, 0.25], 2)] } as unknown as ServiceStats;
  const [rates, counts] = statsCharts(stats);

  it('draws rates as a share of the plot height, and nothing for a month without data', () => {
    const plot = rates!.baseline - 28;
    const nov = rates!.bars.filter((b) => b.label.includes('11/26'));
    expect(nov.map((b) => Math.round((b.h / plot) * 100))).toEqual([100, 50, 25]);
    expect(nov.every((b) => Math.abs(b.y + b.h - rates!.baseline) < 1e-9)).toBe(true);
    const oct = rates!.bars.filter((b) => b.label.includes('10/26'));
    expect(oct.map((b) => b.h)).toEqual([0, 0, 0]);
    expect(oct[0]!.label).toBe('Trực tuyến 10/26: chưa có');
    expect(rates!.desc).toContain('11/26: trực tuyến 100%, đúng hạn 50%, hài lòng 25%');
  });

  it('scales counts to a round axis and shows late open dossiers beside them', () => {
    expect(counts!.yTicks.map((t) => t.text)).toEqual(['0', '2', '4', '6', '8']);
    const [filed, late] = counts!.bars.filter((b) => b.label.includes('11/26'));
    expect(filed!.h / late!.h).toBeCloseTo(4);
    expect(counts!.xLabels.map((l) => l.text)).toEqual(['10/26', '11/26']);
  });
});
