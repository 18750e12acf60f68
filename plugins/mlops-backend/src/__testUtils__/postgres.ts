import knexFactory, { Knex } from 'knex';

/** The connection string of the test PostgreSQL (see setupTests.ts). */
export function postgresConnectionString(): string {
  const id = process.env.SYNTH_TEST_POSTGRES_ID!;
  return process.env[
    `BACKSTAGE_TEST_DATABASE_${id.replace('_', '')}_CONNECTION_STRING`
  ]!;
}

/** Drops the databases a backend created with the given prefix. */
export async function dropDatabases(prefix: string): Promise<void> {
  const admin: Knex = knexFactory({
    client: 'pg',
    connection: postgresConnectionString(),
  });
  try {
    // Exact prefix match: '_' is a wildcard in LIKE.
    const { rows } = await admin.raw('select datname from pg_database');
    for (const { datname } of rows.filter((r: { datname: string }) =>
      r.datname.startsWith(prefix),
    )) {
      await admin.raw(`drop database if exists ?? with (force)`, [datname]);
    }
  } finally {
    await admin.destroy();
  }
}
