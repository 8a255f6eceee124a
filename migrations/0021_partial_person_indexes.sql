ALTER TABLE "dossiers" DROP CONSTRAINT "dossiers_idempotency_key_unique";--> statement-breakpoint
DROP INDEX "dossiers_citizen_idx";--> statement-breakpoint
DROP INDEX "dossiers_subject_person_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "dossiers_idempotency_key_uq" ON "dossiers" USING btree ("idempotency_key") WHERE "dossiers"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "dossiers_citizen_idx" ON "dossiers" USING btree ("citizen_id") WHERE "dossiers"."citizen_id" is not null;--> statement-breakpoint
CREATE INDEX "dossiers_subject_person_idx" ON "dossiers" USING btree ("subject_personal_id","procedure_id") WHERE "dossiers"."subject_personal_id" is not null;