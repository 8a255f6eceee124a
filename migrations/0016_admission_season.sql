CREATE TABLE "admission_enrolments" (
	"campaign_id" text NOT NULL,
	"pupil_id_number" text NOT NULL,
	"run_id" uuid NOT NULL,
	"school_unit_id" text NOT NULL,
	"category" text DEFAULT '' NOT NULL,
	"dossier_id" uuid NOT NULL,
	"confirmed_by" text NOT NULL,
	"confirmed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "admission_enrolments_campaign_id_pupil_id_number_pk" PRIMARY KEY("campaign_id","pupil_id_number")
);
--> statement-breakpoint
CREATE TABLE "admission_remarking_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" text NOT NULL,
	"pupil_id_number" text NOT NULL,
	"dossier_id" uuid NOT NULL,
	"subjects" jsonb NOT NULL,
	"reason" text,
	"status" text DEFAULT 'requested' NOT NULL,
	"score_before" integer,
	"score_after" integer,
	"decision_note" text,
	"filed_by" text NOT NULL,
	"filed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "admission_roster" (
	"campaign_id" text NOT NULL,
	"pupil_id_number" text NOT NULL,
	"full_name" text NOT NULL,
	"birth_date" text NOT NULL,
	"gender" text,
	"current_school" text,
	"residence" text,
	"guardian_id_number" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"corrections" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"confirmed_by" text,
	"confirmed_at" timestamp with time zone,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "admission_roster_campaign_id_pupil_id_number_pk" PRIMARY KEY("campaign_id","pupil_id_number")
);
--> statement-breakpoint
CREATE TABLE "admission_supplementary_choices" (
	"campaign_id" text NOT NULL,
	"pupil_id_number" text NOT NULL,
	"dossier_id" uuid NOT NULL,
	"choices" jsonb NOT NULL,
	"filed_by" text NOT NULL,
	"filed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "admission_supplementary_choices_campaign_id_pupil_id_number_pk" PRIMARY KEY("campaign_id","pupil_id_number")
);
--> statement-breakpoint
ALTER TABLE "admission_cutoffs" DROP CONSTRAINT "admission_cutoffs_run_id_school_unit_id_pk";--> statement-breakpoint
ALTER TABLE "admission_cutoffs" ADD COLUMN "category" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "admission_cutoffs" ADD CONSTRAINT "admission_cutoffs_run_id_school_unit_id_category_pk" PRIMARY KEY("run_id","school_unit_id","category");--> statement-breakpoint
ALTER TABLE "admission_campaigns" ADD COLUMN "categories" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "admission_results" ADD COLUMN "category" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "admission_runs" ADD COLUMN "round" text DEFAULT 'main' NOT NULL;--> statement-breakpoint
ALTER TABLE "admission_runs" ADD COLUMN "notices_queued_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaign_schools" ADD COLUMN "category_quotas" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "admission_enrolments" ADD CONSTRAINT "admission_enrolments_campaign_id_admission_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."admission_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_enrolments" ADD CONSTRAINT "admission_enrolments_run_id_admission_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."admission_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_enrolments" ADD CONSTRAINT "admission_enrolments_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_remarking_requests" ADD CONSTRAINT "admission_remarking_requests_campaign_id_admission_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."admission_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_remarking_requests" ADD CONSTRAINT "admission_remarking_requests_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_remarking_requests" ADD CONSTRAINT "admission_remarking_requests_decided_by_staff_accounts_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_roster" ADD CONSTRAINT "admission_roster_campaign_id_admission_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."admission_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_supplementary_choices" ADD CONSTRAINT "admission_supplementary_choices_campaign_id_admission_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."admission_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_supplementary_choices" ADD CONSTRAINT "admission_supplementary_choices_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "admission_enrolments_school_idx" ON "admission_enrolments" USING btree ("campaign_id","school_unit_id");--> statement-breakpoint
CREATE UNIQUE INDEX "admission_remarking_pupil_uq" ON "admission_remarking_requests" USING btree ("campaign_id","pupil_id_number");--> statement-breakpoint
CREATE INDEX "admission_remarking_status_idx" ON "admission_remarking_requests" USING btree ("campaign_id","status");--> statement-breakpoint
CREATE INDEX "admission_roster_status_idx" ON "admission_roster" USING btree ("campaign_id","status");--> statement-breakpoint
CREATE INDEX "admission_roster_guardian_idx" ON "admission_roster" USING btree ("guardian_id_number");--> statement-breakpoint
CREATE UNIQUE INDEX "dossiers_live_registration_uq" ON "dossiers" USING btree (("form_data" ->> 'campaign'),("form_data" ->> 'pupilIdNumber')) WHERE "dossiers"."procedure_id" = 'admission-registration' and "dossiers"."status" not in ('refused', 'withdrawn');