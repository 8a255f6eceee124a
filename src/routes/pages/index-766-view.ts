// The Decision 766 groups as the pages show them (the leader's dashboard and the public /chi-so-phuc-vu): rates and
// points written the Vietnamese way (decimal comma), "chưa đo được" where a rate has no denominator.
import type { Index766 } from '../../services/reporting/index-766.js';

const vi = (n: number) => String(Math.round(n * 100) / 100).replace('.', ',');

/** 0.1234 → "12,3%" (Vietnamese decimal comma); no data → "—". */
export const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1).replace('.', ',')}%`);

export function index766View(index: Index766) {
  return {
    ...index, points_: vi(index.points),
    groups: index.groups.map((g) => ({
      ...g, points_: vi(g.points), headingId: `i766-${g.key}`,
      indicators: g.indicators.map((i) => ({
        ...i,
        value_: i.denominator === null ? String(i.numerator) : pct(i.value),
        fraction_: i.denominator === null ? '—' : `${i.numerator} / ${i.denominator}`,
        points_: i.maxPoints === 0 ? 'Tham khảo' : i.points === null ? `chưa đo được (tối đa ${vi(i.maxPoints)})` : `${vi(i.points)} / ${vi(i.maxPoints)}`,
      })),
    })),
  };
}
