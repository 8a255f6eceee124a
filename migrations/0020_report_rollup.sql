CREATE TABLE "report_rollup" (
	"month" date NOT NULL,
	"procedure_id" text NOT NULL,
	"status" text NOT NULL,
	"unit_id" text NOT NULL,
	"agency_code" text NOT NULL,
	"running_due_at" timestamp with time zone,
	"dossiers" integer NOT NULL,
	"online" integer NOT NULL,
	"completed" integer NOT NULL,
	"on_time" integer NOT NULL,
	"rated" integer NOT NULL,
	"unsatisfied" integer NOT NULL,
	"complained" integer NOT NULL,
	"satisfactory" integer NOT NULL,
	"vneid" integer NOT NULL,
	"with_reused_document" integer NOT NULL,
	"followed_online" integer NOT NULL,
	"with_sync_steps" integer NOT NULL,
	"synced" integer NOT NULL,
	"open" integer NOT NULL,
	"late_decided" integer NOT NULL,
	"late_decided_apologised" integer NOT NULL,
	"running" integer NOT NULL,
	"running_apologised" integer NOT NULL,
	"digitised_or_reused" integer NOT NULL,
	"result_issued" integer NOT NULL,
	"signed_results" integer NOT NULL,
	"with_fee" integer NOT NULL,
	"paid_online" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_rollup_marks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"month" date NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_rollup_months" (
	"month" date PRIMARY KEY NOT NULL,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "report_rollup_month_idx" ON "report_rollup" USING btree ("month","procedure_id");--> statement-breakpoint
CREATE INDEX "report_rollup_marks_month_idx" ON "report_rollup_marks" USING btree ("month");--> statement-breakpoint
-- The filing month as the reports group it: the calendar month in Vietnam time (UTC+7, no daylight saving).
CREATE FUNCTION "report_month"("at" timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  select (date_trunc('month', ("at" at time zone 'UTC') + interval '7 hours'))::date
$$;--> statement-breakpoint
-- Marks the past filing months of the dossiers a statement inserted, changed or deleted (db/repositories/report-rollup.ts):
-- those months' rollups no longer say what the dossiers are, and the reports compute them from the dossiers until the
-- rollup is rebuilt. The current month is never built, so it is not marked: intake's inserts mark nothing. One row per
-- statement and month at most: statement-level triggers over the statement's transition tables. An update marks only
-- the rows whose counted columns changed (those db/repositories/stats.ts dossierFacts reads): the SLA sweep's marks,
-- assignments and form edits leave the figures as they were.
CREATE FUNCTION "report_rollup_mark_dossiers"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO report_rollup_marks (month)
      SELECT DISTINCT report_month(n.submitted_at) FROM new_rows n WHERE report_month(n.submitted_at) < report_month(now());
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO report_rollup_marks (month)
      SELECT DISTINCT report_month(o.submitted_at) FROM old_rows o WHERE report_month(o.submitted_at) < report_month(now());
  ELSE
    INSERT INTO report_rollup_marks (month)
      SELECT DISTINCT v.month FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (report_month(o.submitted_at)), (report_month(n.submitted_at))) v(month)
      WHERE (o.procedure_id, o.status, o.unit_id, o.agency_code, o.submitted_at, o.channel, o.loa, o.received_at, o.completed_at,
             o.due_at, o.clock_state, o.apology_due_at, o.fee_amount, o.citizen_id, o.applicant_email, o.applicant_phone)
        IS DISTINCT FROM (n.procedure_id, n.status, n.unit_id, n.agency_code, n.submitted_at, n.channel, n.loa, n.received_at,
             n.completed_at, n.due_at, n.clock_state, n.apology_due_at, n.fee_amount, n.citizen_id, n.applicant_email, n.applicant_phone)
        AND v.month < report_month(now());
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
-- The same for each table of facts about dossiers (survey answers, results, complaints, documents, national portal
-- steps, payments): the months of the dossiers its rows name. An inserted or deleted row marks only when it counts (an
-- uploaded document or a payment at the desk counts for nothing, so intake's inserts look no dossier up); an update
-- only when a column the reports read changed, for the dossier before and after. One function per table, static SQL:
-- PostgreSQL keeps their plans.
CREATE FUNCTION "report_rollup_mark_survey_answers"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at) FROM new_rows t JOIN dossiers d ON d.id = t.dossier_id
      WHERE report_month(d.submitted_at) < report_month(now());
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at) FROM old_rows t JOIN dossiers d ON d.id = t.dossier_id
      WHERE report_month(d.submitted_at) < report_month(now());
  ELSE
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at)
      FROM old_rows o JOIN new_rows t ON t.id = o.id JOIN dossiers d ON d.id IN (o.dossier_id, t.dossier_id)
      WHERE (o.dossier_id, o.rating) IS DISTINCT FROM (t.dossier_id, t.rating) AND report_month(d.submitted_at) < report_month(now());
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "report_rollup_mark_issued_documents"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at) FROM new_rows t JOIN dossiers d ON d.id = t.dossier_id
      WHERE t.kind = 'result' AND report_month(d.submitted_at) < report_month(now());
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at) FROM old_rows t JOIN dossiers d ON d.id = t.dossier_id
      WHERE t.kind = 'result' AND report_month(d.submitted_at) < report_month(now());
  ELSE
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at)
      FROM old_rows o JOIN new_rows t ON t.id = o.id JOIN dossiers d ON d.id IN (o.dossier_id, t.dossier_id)
      WHERE (o.dossier_id, o.kind, o.signed_at) IS DISTINCT FROM (t.dossier_id, t.kind, t.signed_at) AND report_month(d.submitted_at) < report_month(now());
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "report_rollup_mark_feedback_items"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at) FROM new_rows t JOIN dossiers d ON d.id = t.dossier_id
      WHERE report_month(d.submitted_at) < report_month(now());
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at) FROM old_rows t JOIN dossiers d ON d.id = t.dossier_id
      WHERE report_month(d.submitted_at) < report_month(now());
  ELSE
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at)
      FROM old_rows o JOIN new_rows t ON t.id = o.id JOIN dossiers d ON d.id IN (o.dossier_id, t.dossier_id)
      WHERE (o.dossier_id) IS DISTINCT FROM (t.dossier_id) AND report_month(d.submitted_at) < report_month(now());
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "report_rollup_mark_dossier_documents"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at) FROM new_rows t JOIN dossiers d ON d.id = t.dossier_id
      WHERE t.reused_from_document_id is not null AND report_month(d.submitted_at) < report_month(now());
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at) FROM old_rows t JOIN dossiers d ON d.id = t.dossier_id
      WHERE t.reused_from_document_id is not null AND report_month(d.submitted_at) < report_month(now());
  ELSE
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at)
      FROM old_rows o JOIN new_rows t ON t.id = o.id JOIN dossiers d ON d.id IN (o.dossier_id, t.dossier_id)
      WHERE (o.dossier_id, o.reused_from_document_id) IS DISTINCT FROM (t.dossier_id, t.reused_from_document_id) AND report_month(d.submitted_at) < report_month(now());
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "report_rollup_mark_citizen_documents"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at) FROM new_rows t JOIN dossiers d ON d.id = t.source_dossier_id
      WHERE t.kind = 'digitised' AND report_month(d.submitted_at) < report_month(now());
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at) FROM old_rows t JOIN dossiers d ON d.id = t.source_dossier_id
      WHERE t.kind = 'digitised' AND report_month(d.submitted_at) < report_month(now());
  ELSE
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at)
      FROM old_rows o JOIN new_rows t ON t.id = o.id JOIN dossiers d ON d.id IN (o.source_dossier_id, t.source_dossier_id)
      WHERE (o.source_dossier_id, o.kind) IS DISTINCT FROM (t.source_dossier_id, t.kind) AND report_month(d.submitted_at) < report_month(now());
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "report_rollup_mark_national_sync_steps"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at) FROM new_rows t JOIN dossiers d ON d.id = t.dossier_id
      WHERE report_month(d.submitted_at) < report_month(now());
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at) FROM old_rows t JOIN dossiers d ON d.id = t.dossier_id
      WHERE report_month(d.submitted_at) < report_month(now());
  ELSE
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at)
      FROM old_rows o JOIN new_rows t ON t.id = o.id JOIN dossiers d ON d.id IN (o.dossier_id, t.dossier_id)
      WHERE (o.dossier_id, o.sent_at) IS DISTINCT FROM (t.dossier_id, t.sent_at) AND report_month(d.submitted_at) < report_month(now());
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "report_rollup_mark_payments"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at) FROM new_rows t JOIN dossiers d ON d.id = t.dossier_id
      WHERE t.method = 'online' AND report_month(d.submitted_at) < report_month(now());
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at) FROM old_rows t JOIN dossiers d ON d.id = t.dossier_id
      WHERE t.method = 'online' AND report_month(d.submitted_at) < report_month(now());
  ELSE
    INSERT INTO report_rollup_marks (month) SELECT DISTINCT report_month(d.submitted_at)
      FROM old_rows o JOIN new_rows t ON t.id = o.id JOIN dossiers d ON d.id IN (o.dossier_id, t.dossier_id)
      WHERE (o.dossier_id, o.status, o.method) IS DISTINCT FROM (t.dossier_id, t.status, t.method) AND report_month(d.submitted_at) < report_month(now());
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
-- TRUNCATE has no rows to look at: every built month is forgotten (rebuilt by the next runs, counted from the dossiers
-- meanwhile).
CREATE FUNCTION "report_rollup_forget"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM report_rollup_months;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "dossiers_report_insert" AFTER INSERT ON "dossiers" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_dossiers"();--> statement-breakpoint
CREATE TRIGGER "dossiers_report_update" AFTER UPDATE ON "dossiers" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_dossiers"();--> statement-breakpoint
CREATE TRIGGER "dossiers_report_delete" AFTER DELETE ON "dossiers" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_dossiers"();--> statement-breakpoint
CREATE TRIGGER "dossiers_report_truncate" AFTER TRUNCATE ON "dossiers" FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_forget"();--> statement-breakpoint
CREATE TRIGGER "survey_answers_report_insert" AFTER INSERT ON "survey_answers" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_survey_answers"();--> statement-breakpoint
CREATE TRIGGER "survey_answers_report_update" AFTER UPDATE ON "survey_answers" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_survey_answers"();--> statement-breakpoint
CREATE TRIGGER "survey_answers_report_delete" AFTER DELETE ON "survey_answers" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_survey_answers"();--> statement-breakpoint
CREATE TRIGGER "survey_answers_report_truncate" AFTER TRUNCATE ON "survey_answers" FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_forget"();--> statement-breakpoint
CREATE TRIGGER "issued_documents_report_insert" AFTER INSERT ON "issued_documents" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_issued_documents"();--> statement-breakpoint
CREATE TRIGGER "issued_documents_report_update" AFTER UPDATE ON "issued_documents" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_issued_documents"();--> statement-breakpoint
CREATE TRIGGER "issued_documents_report_delete" AFTER DELETE ON "issued_documents" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_issued_documents"();--> statement-breakpoint
CREATE TRIGGER "issued_documents_report_truncate" AFTER TRUNCATE ON "issued_documents" FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_forget"();--> statement-breakpoint
CREATE TRIGGER "feedback_items_report_insert" AFTER INSERT ON "feedback_items" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_feedback_items"();--> statement-breakpoint
CREATE TRIGGER "feedback_items_report_update" AFTER UPDATE ON "feedback_items" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_feedback_items"();--> statement-breakpoint
CREATE TRIGGER "feedback_items_report_delete" AFTER DELETE ON "feedback_items" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_feedback_items"();--> statement-breakpoint
CREATE TRIGGER "feedback_items_report_truncate" AFTER TRUNCATE ON "feedback_items" FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_forget"();--> statement-breakpoint
CREATE TRIGGER "dossier_documents_report_insert" AFTER INSERT ON "dossier_documents" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_dossier_documents"();--> statement-breakpoint
CREATE TRIGGER "dossier_documents_report_update" AFTER UPDATE ON "dossier_documents" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_dossier_documents"();--> statement-breakpoint
CREATE TRIGGER "dossier_documents_report_delete" AFTER DELETE ON "dossier_documents" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_dossier_documents"();--> statement-breakpoint
CREATE TRIGGER "dossier_documents_report_truncate" AFTER TRUNCATE ON "dossier_documents" FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_forget"();--> statement-breakpoint
CREATE TRIGGER "citizen_documents_report_insert" AFTER INSERT ON "citizen_documents" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_citizen_documents"();--> statement-breakpoint
CREATE TRIGGER "citizen_documents_report_update" AFTER UPDATE ON "citizen_documents" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_citizen_documents"();--> statement-breakpoint
CREATE TRIGGER "citizen_documents_report_delete" AFTER DELETE ON "citizen_documents" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_citizen_documents"();--> statement-breakpoint
CREATE TRIGGER "citizen_documents_report_truncate" AFTER TRUNCATE ON "citizen_documents" FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_forget"();--> statement-breakpoint
CREATE TRIGGER "national_sync_steps_report_insert" AFTER INSERT ON "national_sync_steps" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_national_sync_steps"();--> statement-breakpoint
CREATE TRIGGER "national_sync_steps_report_update" AFTER UPDATE ON "national_sync_steps" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_national_sync_steps"();--> statement-breakpoint
CREATE TRIGGER "national_sync_steps_report_delete" AFTER DELETE ON "national_sync_steps" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_national_sync_steps"();--> statement-breakpoint
CREATE TRIGGER "national_sync_steps_report_truncate" AFTER TRUNCATE ON "national_sync_steps" FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_forget"();--> statement-breakpoint
CREATE TRIGGER "payments_report_insert" AFTER INSERT ON "payments" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_payments"();--> statement-breakpoint
CREATE TRIGGER "payments_report_update" AFTER UPDATE ON "payments" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_payments"();--> statement-breakpoint
CREATE TRIGGER "payments_report_delete" AFTER DELETE ON "payments" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_mark_payments"();--> statement-breakpoint
CREATE TRIGGER "payments_report_truncate" AFTER TRUNCATE ON "payments" FOR EACH STATEMENT EXECUTE FUNCTION "report_rollup_forget"();
