// Store and reliability tests run on SQLite and PostgreSQL. Without the
// PostgreSQL connection string TestDatabases would quietly leave PostgreSQL
// out, so refuse to run instead of skipping it.
const postgresId = process.env.SYNTH_TEST_POSTGRES_ID;
if (
  !postgresId ||
  !process.env[
    `BACKSTAGE_TEST_DATABASE_${postgresId.replace('_', '')}_CONNECTION_STRING`
  ]
) {
  throw new Error(
    "PostgreSQL is not set up for the tests: run 'source scripts/lib.sh && ensure_postgres' in this shell first (it starts PostgreSQL and exports SYNTH_TEST_POSTGRES_ID and BACKSTAGE_TEST_DATABASE_POSTGRES<NN>_CONNECTION_STRING)",
  );
}

export {};
