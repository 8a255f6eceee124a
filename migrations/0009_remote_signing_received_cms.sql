ALTER TABLE "remote_signing_items" ADD COLUMN "cms" "bytea";--> statement-breakpoint
ALTER TABLE "remote_signing_items" ADD COLUMN "rendered_at" timestamp with time zone;