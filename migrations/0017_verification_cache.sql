CREATE TABLE "document_verifications" (
	"sha256" text NOT NULL,
	"anchors" text NOT NULL,
	"result" jsonb NOT NULL,
	"verified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "document_verifications_sha256_anchors_pk" PRIMARY KEY("sha256","anchors")
);
--> statement-breakpoint
CREATE INDEX "issued_documents_sha256_idx" ON "issued_documents" USING btree ("sha256");