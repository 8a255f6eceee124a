CREATE TABLE "national_inbound_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"national_code" text,
	"procedure_code" text,
	"outcome" text NOT NULL,
	"error_code" text,
	"error_message" text,
	"dossier_id" uuid,
	"body_sha256" text NOT NULL,
	"source_ip" text,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "national_sync_steps" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dossier_id" uuid NOT NULL,
	"event_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text NOT NULL,
	"unit_id" text NOT NULL,
	"due_at" timestamp with time zone,
	"state_due_at" timestamp with time zone,
	"apology_due_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"last_error" text,
	CONSTRAINT "national_sync_steps_event_id_unique" UNIQUE("event_id")
);
--> statement-breakpoint
CREATE TABLE "payment_notifications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reference" text,
	"kind" text NOT NULL,
	"verified" boolean NOT NULL,
	"outcome" text NOT NULL,
	"body" jsonb NOT NULL,
	"source_ip" text
);
--> statement-breakpoint
CREATE TABLE "payment_refunds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"payment_id" uuid NOT NULL,
	"amount" bigint NOT NULL,
	"reason" text NOT NULL,
	"external_reference" text,
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dossier_id" uuid NOT NULL,
	"reference" text NOT NULL,
	"method" text NOT NULL,
	"amount" bigint NOT NULL,
	"lines" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text,
	"paid_at" timestamp with time zone,
	"platform_transaction_id" text,
	"confirmed_via" text,
	"last_checked_at" timestamp with time zone,
	"checks" integer DEFAULT 0 NOT NULL,
	"receipt_number" text,
	"receipt_storage_key" text,
	"receipt_issued_at" timestamp with time zone,
	"failure_reason" text,
	CONSTRAINT "payments_reference_unique" UNIQUE("reference")
);
--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "national_code" text;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "fee_amount" integer;--> statement-breakpoint
ALTER TABLE "national_inbound_messages" ADD CONSTRAINT "national_inbound_messages_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "national_sync_steps" ADD CONSTRAINT "national_sync_steps_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "national_sync_steps" ADD CONSTRAINT "national_sync_steps_event_id_dossier_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."dossier_events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_refunds" ADD CONSTRAINT "payment_refunds_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_refunds" ADD CONSTRAINT "payment_refunds_recorded_by_staff_accounts_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "national_inbound_received_idx" ON "national_inbound_messages" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "national_inbound_code_idx" ON "national_inbound_messages" USING btree ("national_code");--> statement-breakpoint
CREATE INDEX "national_sync_unsent_idx" ON "national_sync_steps" USING btree ("dossier_id","event_id") WHERE "national_sync_steps"."sent_at" is null;--> statement-breakpoint
CREATE INDEX "national_sync_backlog_idx" ON "national_sync_steps" USING btree ("created_at") WHERE "national_sync_steps"."sent_at" is null;--> statement-breakpoint
CREATE INDEX "payment_notifications_reference_idx" ON "payment_notifications" USING btree ("reference","received_at");--> statement-breakpoint
CREATE INDEX "payment_refunds_payment_idx" ON "payment_refunds" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "payments_dossier_idx" ON "payments" USING btree ("dossier_id");--> statement-breakpoint
CREATE INDEX "payments_pending_idx" ON "payments" USING btree ("created_at") WHERE "payments"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "payments_paid_idx" ON "payments" USING btree ("paid_at") WHERE "payments"."status" = 'paid';--> statement-breakpoint
CREATE UNIQUE INDEX "dossiers_national_code_uq" ON "dossiers" USING btree ("national_code") WHERE "dossiers"."national_code" is not null;--> statement-breakpoint
CREATE INDEX "citizen_documents_kind_created_idx" ON "citizen_documents" USING btree ("kind","created_at");