// @ts-check

/**
 * Drift reports with a life cycle (pending → running → succeeded | failed),
 * per-column results with histograms, and the lease that keeps two backends
 * from computing one report at once. Replaces the summary-only
 * `drift_reports` table of the init migration; its rows are carried over as
 * succeeded reports.
 *
 * Timestamps are ISO 8601 strings in UTC written by the plugin.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const old = await knex('drift_reports').select();
  await knex.schema.dropTable('drift_reports');

  await knex.schema.createTable('drift_reports', table => {
    table.comment(
      'Drift reports of MLModels: current data compared with the reference, one row per report',
    );
    table.string('id', 36).primary().notNullable().comment('Report id (uuid)');
    table
      .string('model_ref', 255)
      .notNullable()
      .comment('Entity reference of the MLModel, lower case');
    table
      .string('status', 16)
      .notNullable()
      .comment('pending | running | succeeded | failed');
    table
      .text('error')
      .nullable()
      .comment('Why a failed report failed, naming the column or source');
    table
      .string('triggered_by', 255)
      .notNullable()
      .comment('User entity ref of the requester, or "schedule"');
    table
      .string('schedule_slot', 32)
      .nullable()
      .comment(
        'ISO time of the schedule slot a scheduled report was created for; unique per model',
      );
    table
      .text('spec')
      .notNullable()
      .comment(
        'JSON: sources, formats, column types and drift options resolved from the entities at creation',
      );
    table
      .double('drift_share')
      .nullable()
      .comment('Share of tested columns that drifted');
    table.boolean('dataset_drift').nullable();
    table
      .double('drift_share_threshold')
      .nullable()
      .comment('Share at or above which the dataset drifted');
    table.integer('column_count').nullable().comment('Tested columns');
    table
      .text('drifted_columns')
      .nullable()
      .comment('JSON array of the drifted column names');
    table
      .text('skipped_columns')
      .nullable()
      .comment('JSON: columns not tested, with the reason');
    table.integer('reference_rows').nullable();
    table.integer('current_rows').nullable();
    table
      .string('notification', 16)
      .nullable()
      .comment(
        'pending | sent: owners are told once when the verdict turns to drifted',
      );
    table
      .integer('attempts')
      .notNullable()
      .defaultTo(0)
      .comment('Times the report was claimed');
    table
      .string('lease_owner', 255)
      .nullable()
      .comment('Backend instance computing the report');
    table.timestamp('lease_expires_at', { useTz: true }).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.unique(['model_ref', 'schedule_slot'], {
      indexName: 'drift_reports_slot_idx',
    });
    table.index(['model_ref', 'created_at', 'id'], 'drift_reports_model_idx');
    table.index(
      ['model_ref', 'status', 'finished_at'],
      'drift_reports_latest_idx',
    );
    table.index(['status', 'lease_expires_at'], 'drift_reports_due_idx');
  });

  await knex.schema.createTable('drift_report_columns', table => {
    table.comment('Per-column results of succeeded drift reports');
    table
      .string('report_id', 36)
      .notNullable()
      .references('id')
      .inTable('drift_reports')
      .onDelete('CASCADE');
    table.string('column_name', 255).notNullable();
    table.integer('position').notNullable().comment('Order in the report');
    table
      .string('type', 16)
      .notNullable()
      .comment('numerical | categorical | boolean');
    table.string('method', 32).notNullable();
    table
      .double('statistic')
      .nullable()
      .comment('The test statistic or distance; null for +infinity');
    table
      .double('p_value')
      .nullable()
      .comment('p-value of ks, chisquare and z; null for distances');
    table.double('threshold').notNullable();
    table.string('comparison', 2).notNullable().comment('<= | < | >=');
    table.boolean('drifted').notNullable();
    table.integer('reference_count').notNullable();
    table.integer('current_count').notNullable();
    table
      .text('histogram')
      .notNullable()
      .comment('JSON: reference and current histogram for charts');
    table.primary(['report_id', 'column_name']);
  });

  for (const row of old) {
    const id = require('node:crypto').randomUUID();
    const computedAt =
      row.computed_at instanceof Date
        ? row.computed_at.toISOString()
        : String(row.computed_at);
    const driftedColumns = JSON.parse(row.drifted_columns ?? '[]');
    await knex('drift_reports').insert({
      id,
      model_ref: row.model_ref,
      status: 'succeeded',
      triggered_by: 'import',
      spec: JSON.stringify({
        reference: { url: 'unknown', format: 'csv' },
        current: { url: 'unknown', format: 'csv' },
        options: {},
      }),
      drift_share: row.drift_share,
      dataset_drift: row.dataset_drift,
      drift_share_threshold: 0.5,
      column_count: row.column_count,
      drifted_columns: JSON.stringify(driftedColumns),
      created_at: computedAt,
      started_at: computedAt,
      finished_at: computedAt,
    });
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  const rows = await knex('drift_reports')
    .where({ status: 'succeeded' })
    .select();
  await knex.schema.dropTable('drift_report_columns');
  await knex.schema.dropTable('drift_reports');
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
  for (const row of rows) {
    await knex('drift_reports').insert({
      model_ref: row.model_ref,
      computed_at: row.finished_at,
      dataset_drift: row.dataset_drift,
      drift_share: row.drift_share,
      column_count: row.column_count,
      drifted_columns: row.drifted_columns,
    });
  }
};
