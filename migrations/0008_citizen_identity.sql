CREATE TABLE "citizen_documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_personal_id" text NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"file_name" text NOT NULL,
	"mime_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" text NOT NULL,
	"source_dossier_id" uuid,
	"digitised_by_staff_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "citizen_relations" (
	"citizen_id" uuid NOT NULL,
	"relation" text NOT NULL,
	"personal_id" text NOT NULL,
	"full_name" text NOT NULL,
	"birth_date" text,
	"gender" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "citizen_relations_citizen_id_relation_personal_id_pk" PRIMARY KEY("citizen_id","relation","personal_id")
);
--> statement-breakpoint
CREATE TABLE "citizen_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"citizen_id" uuid NOT NULL,
	"loa" text,
	"id_token" text,
	"expires_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "citizens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"personal_id" text NOT NULL,
	"issuer" text NOT NULL,
	"subject" text NOT NULL,
	"full_name" text NOT NULL,
	"birth_date" text,
	"gender" text,
	"email" text,
	"phone" text,
	"permanent_address" text,
	"current_address" text,
	"loa" text,
	"claims" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_login_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dossier_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dossier_id" uuid NOT NULL,
	"author_kind" text NOT NULL,
	"author_staff_id" uuid,
	"author_citizen_id" uuid,
	"author_name" text NOT NULL,
	"body" text NOT NULL,
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feedback_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"kind" text NOT NULL,
	"citizen_id" uuid,
	"dossier_id" uuid,
	"procedure_id" text,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"contact_name" text NOT NULL,
	"contact_email" text,
	"contact_phone" text,
	"publish_requested" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"answer" text,
	"answered_by_staff_id" uuid,
	"answered_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dossier_documents" ADD COLUMN "reused_from_document_id" uuid;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "citizen_id" uuid;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "subject_personal_id" text;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "filed_for" text;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "loa" text;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "possible_duplicate_of" uuid;--> statement-breakpoint
ALTER TABLE "citizen_documents" ADD CONSTRAINT "citizen_documents_source_dossier_id_dossiers_id_fk" FOREIGN KEY ("source_dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "citizen_documents" ADD CONSTRAINT "citizen_documents_digitised_by_staff_id_staff_accounts_id_fk" FOREIGN KEY ("digitised_by_staff_id") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "citizen_relations" ADD CONSTRAINT "citizen_relations_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "citizen_sessions" ADD CONSTRAINT "citizen_sessions_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_messages" ADD CONSTRAINT "dossier_messages_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_messages" ADD CONSTRAINT "dossier_messages_author_staff_id_staff_accounts_id_fk" FOREIGN KEY ("author_staff_id") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_messages" ADD CONSTRAINT "dossier_messages_author_citizen_id_citizens_id_fk" FOREIGN KEY ("author_citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_items_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_items_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_items_answered_by_staff_id_staff_accounts_id_fk" FOREIGN KEY ("answered_by_staff_id") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "citizen_documents_owner_idx" ON "citizen_documents" USING btree ("owner_personal_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "citizen_documents_source_uq" ON "citizen_documents" USING btree ("source_dossier_id","kind","storage_key");--> statement-breakpoint
CREATE INDEX "citizen_relations_person_idx" ON "citizen_relations" USING btree ("personal_id");--> statement-breakpoint
CREATE INDEX "citizen_sessions_citizen_idx" ON "citizen_sessions" USING btree ("citizen_id");--> statement-breakpoint
CREATE UNIQUE INDEX "citizens_personal_id_uq" ON "citizens" USING btree ("personal_id");--> statement-breakpoint
CREATE UNIQUE INDEX "citizens_subject_uq" ON "citizens" USING btree ("issuer","subject");--> statement-breakpoint
CREATE INDEX "dossier_messages_dossier_idx" ON "dossier_messages" USING btree ("dossier_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "feedback_items_code_uq" ON "feedback_items" USING btree ("code");--> statement-breakpoint
CREATE INDEX "feedback_items_status_idx" ON "feedback_items" USING btree ("status","due_at");--> statement-breakpoint
CREATE INDEX "feedback_items_dossier_idx" ON "feedback_items" USING btree ("dossier_id");--> statement-breakpoint
CREATE INDEX "feedback_items_citizen_idx" ON "feedback_items" USING btree ("citizen_id");--> statement-breakpoint
CREATE INDEX "dossiers_citizen_idx" ON "dossiers" USING btree ("citizen_id");--> statement-breakpoint
CREATE INDEX "dossiers_subject_person_idx" ON "dossiers" USING btree ("subject_personal_id","procedure_id");