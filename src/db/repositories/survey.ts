// Satisfaction answers (one per dossier; the unique index on dossier_id is what makes a second answer a 409).
import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { surveyAnswers } from '../schema/index.js';

export type SurveyAnswerRow = typeof surveyAnswers.$inferSelect;

export async function findSurveyAnswer(db: Db, dossierId: string): Promise<SurveyAnswerRow | undefined> {
  const [row] = await db.select().from(surveyAnswers).where(eq(surveyAnswers.dossierId, dossierId));
  return row;
}

export async function insertSurveyAnswer(db: Db, values: typeof surveyAnswers.$inferInsert): Promise<SurveyAnswerRow> {
  const [row] = await db.insert(surveyAnswers).values(values).returning();
  return row!;
}
