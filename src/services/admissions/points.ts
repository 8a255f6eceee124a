// Admission points as the season's pages and notices print them: two decimals with the Vietnamese decimal comma.

/** 27.25 → "27,25"; a missing figure (no score, no cut-off) → `missing`. */
export function vnPoints(points: number | null, missing = '—'): string {
  return points === null ? missing : points.toFixed(2).replace('.', ',');
}
