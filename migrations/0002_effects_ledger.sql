ALTER TABLE "citizen_notifications" ALTER COLUMN "sent_at" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "citizen_notifications" ALTER COLUMN "sent_at" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "done_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "citizen_notifications" ADD COLUMN "message_id" text;--> statement-breakpoint
ALTER TABLE "citizen_notifications" ADD COLUMN "attempted_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "outbox_unfinished_idx" ON "outbox" USING btree ("available_at") WHERE "outbox"."relayed_at" is not null and "outbox"."done_at" is null and "outbox"."failed_at" is null;--> statement-breakpoint
CREATE INDEX "outbox_failed_idx" ON "outbox" USING btree ("failed_at") WHERE "outbox"."failed_at" is not null;--> statement-breakpoint
-- Rows relayed before this migration were treated as done; keep them so rather than re-running old effects.
UPDATE "outbox" SET "done_at" = "relayed_at" WHERE "relayed_at" IS NOT NULL;
