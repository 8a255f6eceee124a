ALTER TABLE "staff_accounts" ADD COLUMN "temporary_password_expires_at" timestamp with time zone;--> statement-breakpoint
-- Temporary passwords handed out before this change get the same 72 hours from now.
UPDATE "staff_accounts" SET "temporary_password_expires_at" = now() + interval '72 hours' WHERE "must_change_password";
