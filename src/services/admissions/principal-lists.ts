// A principal's lists (the staff page /can-bo/tuyen-sinh): for each campaign their school takes part in, the pupils
// admitted to it in the campaign's latest published run, with the school's quota and cut-off. The list itself is
// results.ts's (readResults: the same gate, principal = role `leader` at a school of the campaign).
import type { AppContext } from '../../app-context.js';
import { latestDoneRun, listCutoffs } from '../../db/repositories/admission-assignment.js';
import { listCampaignsOfSchool } from '../../db/repositories/admission-notices.js';
import { AppError } from '../../errors.js';
import type { Caller } from '../access.js';
import { PRINCIPAL_ROLE, readResults, type ResultItem } from './results.js';

export interface SchoolList {
  campaignId: string;
  campaignName: string;
  /** null: no run of the campaign published yet. */
  run: { id: string; publishedAt: string; quota: number; admitted: number; cutoff: number | null } | null;
  pupils: ResultItem[];
}

export async function principalLists(ctx: AppContext, caller: Caller): Promise<SchoolList[]> {
  if (caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập.');
  if (!caller.staff.roles.includes(PRINCIPAL_ROLE)) throw new AppError('FORBIDDEN', 'Chỉ hiệu trưởng các trường tham gia tuyển sinh xem được danh sách trúng tuyển.');
  const school = caller.staff.unitId;
  const lists: SchoolList[] = [];
  for (const campaign of await listCampaignsOfSchool(ctx.db, school)) {
    const run = await latestDoneRun(ctx.db, campaign.id, { published: true });
    if (!run) {
      lists.push({ campaignId: campaign.id, campaignName: campaign.name, run: null, pupils: [] });
      continue;
    }
    const figures = (await listCutoffs(ctx.db, run.id)).filter((c) => c.schoolUnitId === school);
    lists.push({
      campaignId: campaign.id, campaignName: campaign.name,
      run: {
        id: run.id, publishedAt: run.publishedAt!.toISOString(),
        quota: figures.reduce((n, c) => n + c.quota, 0), admitted: figures.reduce((n, c) => n + c.admitted, 0),
        // The lowest cut-off over the school's categories (one without categories).
        cutoff: figures.some((c) => c.cutoff !== null) ? Math.min(...figures.flatMap((c) => (c.cutoff === null ? [] : [c.cutoff]))) / 100 : null,
      },
      pupils: await readResults(ctx, caller, campaign.id, run.id),
    });
  }
  return lists;
}

/** The CSV of one campaign's list (the latest published run): the results API's file. */
export async function principalListRun(ctx: AppContext, campaignId: string): Promise<string> {
  const run = await latestDoneRun(ctx.db, campaignId, { published: true });
  if (!run) throw new AppError('NOT_FOUND', 'Kết quả xét tuyển của kỳ này chưa được công bố.');
  return run.id;
}
