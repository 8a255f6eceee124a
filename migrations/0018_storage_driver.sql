CREATE TABLE "stored_file_uploads" (
	"key" text PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stored_files" ALTER COLUMN "data" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "stored_files" ADD COLUMN "sha256" text;--> statement-breakpoint
UPDATE "stored_files" SET "sha256" = encode(sha256("data"), 'hex');--> statement-breakpoint
ALTER TABLE "stored_files" ALTER COLUMN "sha256" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "stored_files" ADD COLUMN "location" text DEFAULT 'postgres' NOT NULL;--> statement-breakpoint
ALTER TABLE "stored_files" ADD CONSTRAINT "stored_files_location_check" CHECK ("stored_files"."location" in ('postgres', 's3'));--> statement-breakpoint
ALTER TABLE "stored_files" ADD CONSTRAINT "stored_files_postgres_has_data" CHECK ("stored_files"."location" <> 'postgres' or "stored_files"."data" is not null);