ALTER TABLE "dossiers" ADD COLUMN "tracking_token_version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "dossiers_applicant_email_idx" ON "dossiers" USING btree (lower(regexp_replace("applicant_email", '[+][^@]*@', '@')),"submitted_at");--> statement-breakpoint
CREATE INDEX "dossiers_applicant_phone_idx" ON "dossiers" USING btree ("applicant_phone","submitted_at");--> statement-breakpoint
-- Dossiers closed before this migration: stop-clock (the only writer of completed_at) runs on the transitions into final states.
UPDATE "dossiers" SET "closed_at" = "completed_at" WHERE "completed_at" IS NOT NULL;
