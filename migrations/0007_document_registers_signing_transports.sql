CREATE TABLE "agent_signing_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dossier_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"base_signed_count" integer NOT NULL,
	"pdf" "bytea" NOT NULL,
	"certificate_pem" text NOT NULL,
	"download_token_hash" text NOT NULL,
	"upload_token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"downloaded_at" timestamp with time zone,
	"used_at" timestamp with time zone,
	"outcome" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "remote_signing_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"dossier_id" uuid NOT NULL,
	"base_signed_count" integer NOT NULL,
	"pdf" "bytea" NOT NULL,
	"content_digest" "bytea" NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "remote_signing_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"staff_id" uuid NOT NULL,
	"transaction_id" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"polls" integer DEFAULT 0 NOT NULL,
	"error" text,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "document_kinds" (
	"key" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"abbreviation" text NOT NULL,
	"register" text DEFAULT 'outgoing' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "document_register_counters" (
	"agency_code" text NOT NULL,
	"register" text NOT NULL,
	"year" integer NOT NULL,
	"last_number" integer NOT NULL,
	CONSTRAINT "document_register_counters_agency_code_register_year_pk" PRIMARY KEY("agency_code","register","year")
);
--> statement-breakpoint
CREATE TABLE "registered_documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_code" text NOT NULL,
	"register" text NOT NULL,
	"year" integer NOT NULL,
	"number" integer NOT NULL,
	"kind" text NOT NULL,
	"kind_name" text NOT NULL,
	"symbol" text NOT NULL,
	"dossier_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"summary" text NOT NULL,
	"recipients" text[] DEFAULT '{}'::text[] NOT NULL,
	"signer_name" text,
	"signer_title" text,
	"status" text DEFAULT 'reserved' NOT NULL,
	"issued_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "remote_holder_id" text;--> statement-breakpoint
ALTER TABLE "agent_signing_sessions" ADD CONSTRAINT "agent_signing_sessions_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_signing_sessions" ADD CONSTRAINT "agent_signing_sessions_staff_id_staff_accounts_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remote_signing_items" ADD CONSTRAINT "remote_signing_items_request_id_remote_signing_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."remote_signing_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remote_signing_items" ADD CONSTRAINT "remote_signing_items_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remote_signing_requests" ADD CONSTRAINT "remote_signing_requests_staff_id_staff_accounts_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_register_counters" ADD CONSTRAINT "document_register_counters_agency_code_agencies_code_fk" FOREIGN KEY ("agency_code") REFERENCES "public"."agencies"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registered_documents" ADD CONSTRAINT "registered_documents_agency_code_agencies_code_fk" FOREIGN KEY ("agency_code") REFERENCES "public"."agencies"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registered_documents" ADD CONSTRAINT "registered_documents_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "agent_signing_sessions_download_uq" ON "agent_signing_sessions" USING btree ("download_token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "agent_signing_sessions_upload_uq" ON "agent_signing_sessions" USING btree ("upload_token_hash");--> statement-breakpoint
CREATE INDEX "agent_signing_sessions_dossier_idx" ON "agent_signing_sessions" USING btree ("dossier_id");--> statement-breakpoint
CREATE INDEX "remote_signing_items_request_idx" ON "remote_signing_items" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "remote_signing_items_dossier_idx" ON "remote_signing_items" USING btree ("dossier_id");--> statement-breakpoint
CREATE INDEX "remote_signing_requests_staff_idx" ON "remote_signing_requests" USING btree ("staff_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "registered_documents_number_uq" ON "registered_documents" USING btree ("agency_code","register","year","number");--> statement-breakpoint
CREATE UNIQUE INDEX "registered_documents_subject_uq" ON "registered_documents" USING btree ("dossier_id","subject","year");--> statement-breakpoint
INSERT INTO "document_kinds" ("key", "name", "abbreviation", "register") VALUES
	('decision', 'Quyết định', 'QĐ', 'outgoing'),
	('notice', 'Thông báo', 'TB', 'outgoing'),
	('licence', 'Giấy phép', 'GP', 'outgoing'),
	('referral', 'Giấy giới thiệu', 'GGT', 'outgoing'),
	('copy', 'Bản sao từ sổ gốc', 'BS', 'copies'),
	('receipt', 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả', 'TNHS', 'outgoing'),
	('supplement-request', 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ', 'YCBS', 'outgoing'),
	('refusal', 'Phiếu từ chối tiếp nhận giải quyết hồ sơ', 'TCHS', 'outgoing'),
	('apology', 'Phiếu xin lỗi và hẹn lại ngày trả kết quả', 'XLHL', 'outgoing'),
	('control-slip', 'Phiếu kiểm soát quá trình giải quyết hồ sơ', 'KSHS', 'outgoing')
ON CONFLICT ("key") DO NOTHING;
