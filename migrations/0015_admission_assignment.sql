CREATE TABLE "admission_cutoffs" (
	"run_id" uuid NOT NULL,
	"school_unit_id" text NOT NULL,
	"quota" integer NOT NULL,
	"admitted" integer NOT NULL,
	"cutoff" integer,
	CONSTRAINT "admission_cutoffs_run_id_school_unit_id_pk" PRIMARY KEY("run_id","school_unit_id")
);
--> statement-breakpoint
CREATE TABLE "admission_results" (
	"run_id" uuid NOT NULL,
	"campaign_id" text NOT NULL,
	"pupil_id_number" text NOT NULL,
	"dossier_id" uuid NOT NULL,
	"birth_date" text NOT NULL,
	"school_unit_id" text,
	"choice_rank" integer,
	"total" integer NOT NULL,
	CONSTRAINT "admission_results_run_id_pupil_id_number_pk" PRIMARY KEY("run_id","pupil_id_number")
);
--> statement-breakpoint
CREATE TABLE "admission_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"progress" real DEFAULT 0 NOT NULL,
	"rule" text NOT NULL,
	"seed" text NOT NULL,
	"requested_by" uuid,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"stats" jsonb,
	"error" text,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "admission_scores" (
	"campaign_id" text NOT NULL,
	"pupil_id_number" text NOT NULL,
	"score" integer NOT NULL,
	"priority_points" integer DEFAULT 0 NOT NULL,
	"extra" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	"imported_by" uuid,
	CONSTRAINT "admission_scores_campaign_id_pupil_id_number_pk" PRIMARY KEY("campaign_id","pupil_id_number")
);
--> statement-breakpoint
ALTER TABLE "admission_cutoffs" ADD CONSTRAINT "admission_cutoffs_run_id_admission_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."admission_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_results" ADD CONSTRAINT "admission_results_run_id_admission_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."admission_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_results" ADD CONSTRAINT "admission_results_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_runs" ADD CONSTRAINT "admission_runs_campaign_id_admission_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."admission_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_runs" ADD CONSTRAINT "admission_runs_requested_by_staff_accounts_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_scores" ADD CONSTRAINT "admission_scores_campaign_id_admission_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."admission_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_scores" ADD CONSTRAINT "admission_scores_imported_by_staff_accounts_id_fk" FOREIGN KEY ("imported_by") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "admission_results_school_idx" ON "admission_results" USING btree ("run_id","school_unit_id");--> statement-breakpoint
CREATE INDEX "admission_runs_campaign_idx" ON "admission_runs" USING btree ("campaign_id","started_at");