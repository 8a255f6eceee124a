// Server-rendered SVG charts for the dashboard: plain shapes computed here, drawn by templates/pages/partials/chart.hbs
// (so every label goes through handlebars escaping and no chart library or CDN is needed).
import type { ServiceStats } from '../../services/reporting/stats.js';

export interface BarChart {
  id: string; title: string; desc: string; width: number; height: number;
  bars: Array<{ x: number; y: number; w: number; h: number; cls: string; label: string }>;
  xLabels: Array<{ x: number; text: string }>;
  yTicks: Array<{ y: number; text: string }>;
  legend: Array<{ cls: string; text: string; x: number }>;
  plotLeft: number; plotRight: number; baseline: number;
}

const W = 640; const H = 260; const LEFT = 44; const RIGHT = 8; const TOP = 28; const BOTTOM = 34;

function frame(count: number) {
  const plotW = W - LEFT - RIGHT;
  const slot = plotW / Math.max(count, 1);
  return { plotW, slot, plotH: H - TOP - BOTTOM, baseline: H - BOTTOM };
}

const monthLabel = (m: string) => `${m.slice(5, 7)}/${m.slice(2, 4)}`;

export function statsCharts(stats: ServiceStats): BarChart[] {
  const months = stats.byMonth;
  const series = [
    { key: 'onlineRate', cls: 's1', text: 'Trực tuyến' },
    { key: 'onTimeRate', cls: 's2', text: 'Đúng hạn' },
    { key: 'satisfactionRate', cls: 's3', text: 'Hài lòng' },
  ] as const;
  const f = frame(months.length);
  const barW = Math.max(2, (f.slot * 0.8) / series.length);
  const rates: BarChart = {
    id: 'chart-rates', title: 'Tỷ lệ theo tháng (%)',
    desc: months.map((m) => `${monthLabel(m.month)}: ${series.map((s) => `${s.text.toLowerCase()} ${m[s.key] === null ? 'chưa có' : `${Math.round(m[s.key]! * 100)}%`}`).join(', ')}`).join('; '),
    width: W, height: H, plotLeft: LEFT, plotRight: W - RIGHT, baseline: f.baseline,
    bars: months.flatMap((m, i) => series.map((s, j) => {
      const v = m[s.key] ?? 0; const h = v * f.plotH;
      return { x: LEFT + i * f.slot + f.slot * 0.1 + j * barW, y: f.baseline - h, w: barW - 1, h, cls: s.cls, label: `${s.text} ${monthLabel(m.month)}: ${m[s.key] === null ? 'chưa có' : `${(v * 100).toFixed(1)}%`}` };
    })),
    xLabels: months.map((m, i) => ({ x: LEFT + i * f.slot + f.slot / 2, text: monthLabel(m.month) })),
    yTicks: [0, 25, 50, 75, 100].map((p) => ({ y: f.baseline - (p / 100) * f.plotH, text: `${p}` })),
    legend: series.map((s, i) => ({ cls: s.cls, text: s.text, x: LEFT + i * 120 })),
  };
  const max = Math.max(1, ...months.map((m) => m.dossiers));
  const step = Math.max(1, Math.ceil(max / 4));
  const top = step * 4;
  const countW = Math.max(2, f.slot * 0.35);
  const counts: BarChart = {
    id: 'chart-counts', title: 'Số hồ sơ tiếp nhận và trễ hạn theo tháng',
    desc: months.map((m) => `${monthLabel(m.month)}: ${m.dossiers} hồ sơ, ${m.lateOpen} trễ hạn đang xử lý`).join('; '),
    width: W, height: H, plotLeft: LEFT, plotRight: W - RIGHT, baseline: f.baseline,
    bars: months.flatMap((m, i) => [
      { x: LEFT + i * f.slot + f.slot * 0.12, y: f.baseline - (m.dossiers / top) * f.plotH, w: countW, h: (m.dossiers / top) * f.plotH, cls: 's1', label: `Hồ sơ ${monthLabel(m.month)}: ${m.dossiers}` },
      { x: LEFT + i * f.slot + f.slot * 0.12 + countW + 1, y: f.baseline - (m.lateOpen / top) * f.plotH, w: countW, h: (m.lateOpen / top) * f.plotH, cls: 's4', label: `Trễ hạn ${monthLabel(m.month)}: ${m.lateOpen}` },
    ]),
    xLabels: rates.xLabels,
    yTicks: [0, 1, 2, 3, 4].map((k) => ({ y: f.baseline - (k / 4) * f.plotH, text: `${k * step}` })),
    legend: [{ cls: 's1', text: 'Hồ sơ', x: LEFT }, { cls: 's4', text: 'Trễ hạn (đang xử lý)', x: LEFT + 120 }],
  };
  return [rates, counts];
}
