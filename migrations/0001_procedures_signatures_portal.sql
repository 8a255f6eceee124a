CREATE TABLE "dossier_handovers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dossier_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"from_unit_id" text,
	"to_unit_id" text NOT NULL,
	"action" text NOT NULL,
	"result" text NOT NULL,
	"by_staff_id" uuid,
	"by_name" text NOT NULL,
	"status" text NOT NULL,
	"dossier_version" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sla_alerts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dossier_id" uuid NOT NULL,
	"unit_id" text NOT NULL,
	"kind" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"data" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "master_register_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"diploma_type" text NOT NULL,
	"holder_name" text NOT NULL,
	"holder_key" text NOT NULL,
	"holder_birth_date" text NOT NULL,
	"school" text NOT NULL,
	"graduation_year" integer NOT NULL,
	"register_book_number" text NOT NULL,
	"entry_number" text NOT NULL,
	"diploma_number" text NOT NULL,
	"issued_date" text NOT NULL,
	"classification" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admission_campaigns" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"grade" integer NOT NULL,
	"school_year" text NOT NULL,
	"opens_at" timestamp with time zone NOT NULL,
	"closes_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admission_places" (
	"dossier_id" uuid PRIMARY KEY NOT NULL,
	"campaign_id" text NOT NULL,
	"school_unit_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaign_schools" (
	"campaign_id" text NOT NULL,
	"school_unit_id" text NOT NULL,
	"quota" integer NOT NULL,
	CONSTRAINT "campaign_schools_campaign_id_school_unit_id_pk" PRIMARY KEY("campaign_id","school_unit_id")
);
--> statement-breakpoint
CREATE TABLE "signing_appearances" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"staff_id" uuid,
	"unit_id" text,
	"image" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "signing_appearances_owner_ck" CHECK (("signing_appearances"."staff_id" is not null) <> ("signing_appearances"."unit_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "signing_drafts" (
	"dossier_id" uuid PRIMARY KEY NOT NULL,
	"pdf" "bytea" NOT NULL,
	"signed_count" integer DEFAULT 0 NOT NULL,
	"signer_staff_id" uuid NOT NULL,
	"waiting_for" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signing_preparations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dossier_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"base_signed_count" integer NOT NULL,
	"pdf" "bytea" NOT NULL,
	"signed_attributes" "bytea" NOT NULL,
	"certificate_pem" text NOT NULL,
	"chain_pem" text[] DEFAULT '{}'::text[] NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "citizen_notifications" (
	"dossier_id" uuid NOT NULL,
	"dossier_version" integer NOT NULL,
	"channel" text NOT NULL,
	"recipient" text,
	"subject" text,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "citizen_notifications_dossier_id_dossier_version_pk" PRIMARY KEY("dossier_id","dossier_version")
);
--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "assignee_id" uuid;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "state_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "apology_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "sla_mark" text;--> statement-breakpoint
ALTER TABLE "dossier_handovers" ADD CONSTRAINT "dossier_handovers_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_handovers" ADD CONSTRAINT "dossier_handovers_from_unit_id_units_id_fk" FOREIGN KEY ("from_unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_handovers" ADD CONSTRAINT "dossier_handovers_to_unit_id_units_id_fk" FOREIGN KEY ("to_unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_handovers" ADD CONSTRAINT "dossier_handovers_by_staff_id_staff_accounts_id_fk" FOREIGN KEY ("by_staff_id") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_alerts" ADD CONSTRAINT "sla_alerts_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_alerts" ADD CONSTRAINT "sla_alerts_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admission_places" ADD CONSTRAINT "admission_places_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_schools" ADD CONSTRAINT "campaign_schools_campaign_id_admission_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."admission_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_schools" ADD CONSTRAINT "campaign_schools_school_unit_id_units_id_fk" FOREIGN KEY ("school_unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_appearances" ADD CONSTRAINT "signing_appearances_staff_id_staff_accounts_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_appearances" ADD CONSTRAINT "signing_appearances_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_drafts" ADD CONSTRAINT "signing_drafts_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_drafts" ADD CONSTRAINT "signing_drafts_signer_staff_id_staff_accounts_id_fk" FOREIGN KEY ("signer_staff_id") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_preparations" ADD CONSTRAINT "signing_preparations_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_preparations" ADD CONSTRAINT "signing_preparations_staff_id_staff_accounts_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "citizen_notifications" ADD CONSTRAINT "citizen_notifications_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dossier_handovers_dossier_idx" ON "dossier_handovers" USING btree ("dossier_id","id");--> statement-breakpoint
CREATE INDEX "dossier_handovers_units_idx" ON "dossier_handovers" USING btree ("from_unit_id","to_unit_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sla_alerts_once_uq" ON "sla_alerts" USING btree ("dossier_id","kind","due_at");--> statement-breakpoint
CREATE INDEX "sla_alerts_unit_idx" ON "sla_alerts" USING btree ("unit_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "master_register_diploma_uq" ON "master_register_entries" USING btree ("diploma_type","diploma_number");--> statement-breakpoint
CREATE INDEX "master_register_holder_idx" ON "master_register_entries" USING btree ("holder_key","holder_birth_date");--> statement-breakpoint
CREATE INDEX "admission_places_school_idx" ON "admission_places" USING btree ("campaign_id","school_unit_id");--> statement-breakpoint
CREATE UNIQUE INDEX "signing_appearances_staff_uq" ON "signing_appearances" USING btree ("staff_id");--> statement-breakpoint
CREATE UNIQUE INDEX "signing_appearances_unit_uq" ON "signing_appearances" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "signing_drafts_signer_idx" ON "signing_drafts" USING btree ("signer_staff_id");--> statement-breakpoint
CREATE INDEX "signing_preparations_dossier_idx" ON "signing_preparations" USING btree ("dossier_id");