// @ts-check

/**
 * Tables of the mlops backend: training runs and their logs, model versions,
 * deployments and drift reports.
 *
 * Timestamps are written by the plugin as ISO 8601 strings in UTC (never the
 * database clock), so comparisons behave the same on SQLite and PostgreSQL.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('training_runs', table => {
    table.comment(
      'Training runs of MLModel entities, one row per accepted request',
    );
    table.string('id', 36).primary().notNullable().comment('Run id (uuid)');
    table
      .string('model_ref', 255)
      .notNullable()
      .comment('Entity reference of the MLModel, lower case');
    table
      .string('idempotency_key', 255)
      .notNullable()
      .comment('Idempotency-Key header of the request that created the run');
    table
      .string('request_hash', 64)
      .notNullable()
      .comment(
        'sha256 of the validated request; a reused key with another request is a conflict',
      );
    table.string('executor', 16).notNullable().comment('ray | local');
    table
      .string('status', 16)
      .notNullable()
      .comment(
        'pending | submitted | running | succeeded | failed | cancelled',
      );
    table
      .text('status_message')
      .nullable()
      .comment('Why the run has its status');
    table
      .text('parameters')
      .notNullable()
      .comment('JSON: validated parameters, defaults included');
    table
      .text('spec')
      .notNullable()
      .comment(
        'JSON: the training spec snapshot taken from the entity at creation',
      );
    table
      .string('owner_ref', 255)
      .nullable()
      .comment('Owner of the MLModel at creation, notified of the outcome');
    table
      .string('created_by', 255)
      .notNullable()
      .comment('User entity ref of the caller');
    table
      .string('external_id', 255)
      .nullable()
      .comment('Ray submission_id or local process id');
    table.boolean('cancel_requested').notNullable().defaultTo(false);
    table
      .integer('attempts')
      .notNullable()
      .defaultTo(0)
      .comment('Submission attempts');
    table
      .integer('failure_count')
      .notNullable()
      .defaultTo(0)
      .comment('Consecutive failures to reach the engine');
    table.timestamp('first_failure_at', { useTz: true }).nullable();
    table
      .timestamp('next_check_at', { useTz: true })
      .notNullable()
      .comment('When the reconciler looks at the run next');
    table
      .string('lease_owner', 255)
      .nullable()
      .comment('Worker that holds the run');
    table.timestamp('lease_expires_at', { useTz: true }).nullable();
    table.text('artifact_uri').nullable();
    table
      .text('metrics')
      .nullable()
      .comment('JSON: metrics reported by the run');
    table
      .string('model_version', 64)
      .nullable()
      .comment('Version registered by a succeeded run');
    table
      .text('pending_outcome')
      .nullable()
      .comment('JSON: the engine outcome of a run that is not finalized yet');
    table
      .boolean('logs_archived')
      .notNullable()
      .defaultTo(false)
      .comment('Engine logs copied to training_run_logs');
    table
      .string('notified_status', 16)
      .nullable()
      .comment('Terminal status the owners were notified of');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.unique(['model_ref', 'idempotency_key'], {
      indexName: 'training_runs_idempotency_idx',
    });
    table.index(['model_ref', 'created_at', 'id'], 'training_runs_model_idx');
    table.index(['status', 'next_check_at'], 'training_runs_due_idx');
  });

  await knex.schema.createTable('training_run_logs', table => {
    table.comment(
      'Log chunks of training runs (local runs live, Ray runs archived at the end)',
    );
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('training_runs')
      .onDelete('CASCADE');
    table.integer('seq').notNullable().comment('Chunk number, from 0');
    table
      .bigInteger('start_offset')
      .notNullable()
      .comment('Offset of the first character');
    table
      .bigInteger('end_offset')
      .notNullable()
      .comment('Offset after the last character');
    table.text('text').notNullable();
    table.primary(['run_id', 'seq']);
    table.index(['run_id', 'end_offset'], 'training_run_logs_offset_idx');
  });

  await knex.schema.createTable('model_versions', table => {
    table.comment('Versions of MLModels registered by succeeded training runs');
    table.string('model_ref', 255).notNullable();
    table.string('version', 64).notNullable();
    table
      .string('run_id', 36)
      .nullable()
      .comment('Run that produced the version');
    table.text('artifact_uri').nullable();
    table.text('metrics').notNullable().comment('JSON');
    table.string('registry', 16).notNullable().comment('mlflow | internal');
    table
      .string('registered_model_name', 255)
      .nullable()
      .comment('MLflow registered model');
    table
      .integer('seq')
      .notNullable()
      .comment('Order of the version within the model');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(['model_ref', 'version']);
    table.unique(['run_id'], { indexName: 'model_versions_run_idx' });
    table.unique(['model_ref', 'seq'], { indexName: 'model_versions_seq_idx' });
  });

  await knex.schema.createTable('deployments', table => {
    table.comment('Deployments of model versions to Lambda or Ray Serve');
    table.string('id', 36).primary().notNullable();
    table.string('model_ref', 255).notNullable();
    table.string('version', 64).notNullable();
    table.string('target', 16).notNullable().comment('lambda | ray-serve');
    table.string('strategy', 16).notNullable().comment('all-at-once | canary');
    table.float('weight').nullable().comment('Canary traffic share');
    table.string('status', 16).notNullable();
    table.text('status_message').nullable();
    table.string('idempotency_key', 255).nullable();
    table.string('request_hash', 64).notNullable();
    table
      .string('active_key', 255)
      .nullable()
      .comment(
        'model_ref while the deployment is not final: one active deployment per model',
      );
    table
      .text('target_config')
      .notNullable()
      .comment('JSON: spec.serving snapshot');
    table
      .text('artifact_uri')
      .nullable()
      .comment('Artefact of the deployed version');
    table
      .text('state')
      .notNullable()
      .comment('JSON: progress on the target (versions, revision ids)');
    table.string('owner_ref', 255).nullable();
    table.string('created_by', 255).notNullable();
    table.integer('failure_count').notNullable().defaultTo(0);
    table.timestamp('first_failure_at', { useTz: true }).nullable();
    table.timestamp('next_check_at', { useTz: true }).notNullable();
    table.string('lease_owner', 255).nullable();
    table.timestamp('lease_expires_at', { useTz: true }).nullable();
    table.string('notified_status', 16).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.unique(['model_ref', 'idempotency_key'], {
      indexName: 'deployments_idempotency_idx',
    });
    table.unique(['active_key'], { indexName: 'deployments_active_idx' });
    table.index(['model_ref', 'created_at', 'id'], 'deployments_model_idx');
    table.index(['status', 'next_check_at'], 'deployments_due_idx');
  });

  await knex.schema.createTable('drift_reports', table => {
    table.comment('Drift reports of MLModels (written by drift monitoring)');
    table.bigIncrements('id').primary();
    table.string('model_ref', 255).notNullable();
    table.timestamp('computed_at', { useTz: true }).notNullable();
    table.boolean('dataset_drift').notNullable();
    table.float('drift_share').notNullable();
    table.integer('column_count').notNullable();
    table
      .text('drifted_columns')
      .notNullable()
      .comment('JSON array of column names');
    table.text('details').nullable().comment('JSON: per-column results');
    table.index(['model_ref', 'computed_at'], 'drift_reports_model_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('drift_reports');
  await knex.schema.dropTable('deployments');
  await knex.schema.dropTable('model_versions');
  await knex.schema.dropTable('training_run_logs');
  await knex.schema.dropTable('training_runs');
};
