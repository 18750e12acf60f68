/*
 * Generates the sample data files of the example catalog: reference and
 * current data for the churn and fraud models, with a deliberate drift in two
 * columns of each current file. Deterministic: the same seed gives the same
 * bytes, and the example catalog test of the mlops entity model module checks
 * that the committed files match.
 *
 * Regenerate with `node catalog/data/generate.ts` (Node 22.18+ runs TypeScript
 * directly); `node catalog/data/generate.ts <dir>` writes to another directory.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** mulberry32: a small seeded PRNG, uniform on [0, 1). */
function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (mean: number, sd: number) => {
    // Box-Muller; 1 - u keeps the logarithm finite.
    const u = 1 - next();
    const v = next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    normal,
    int: (min: number, max: number) =>
      min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: ReadonlyArray<T>, weights: ReadonlyArray<number>): T => {
      const total = weights.reduce((a, b) => a + b, 0);
      let r = next() * total;
      for (let i = 0; i < items.length; i++) {
        r -= weights[i];
        if (r < 0) {
          return items[i];
        }
      }
      return items[items.length - 1];
    },
    poisson: (lambda: number) => {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = next();
      while (p > limit) {
        k += 1;
        p *= next();
      }
      return k;
    },
  };
}

type Row = Record<string, string | number | boolean>;

function toCsv(columns: string[], rows: Row[]): string {
  const lines = [columns.join(',')];
  for (const row of rows) {
    lines.push(columns.map(c => String(row[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}

const clamp = (x: number, min: number, max: number) =>
  Math.min(max, Math.max(min, x));
const round2 = (x: number) => Math.round(x * 100) / 100;

const CONTRACTS = ['month-to-month', 'one-year', 'two-year'] as const;

function churnRows(options: {
  seed: number;
  count: number;
  firstId: number;
  snapshotDate: string;
  chargeShift: number;
  contractWeights: number[];
  labelled: boolean;
}): Row[] {
  const random = createRandom(options.seed);
  const rows: Row[] = [];
  for (let i = 0; i < options.count; i++) {
    const contract = random.pick(CONTRACTS, options.contractWeights);
    const tenure = clamp(Math.round(random.normal(26, 16)), 1, 72);
    const charges = round2(
      clamp(random.normal(64 + options.chargeShift, 18), 19, 140),
    );
    const tickets = random.poisson(1.2);
    const lastLogin = clamp(Math.round(random.normal(9, 7)), 0, 90);
    const autopay = random.next() < 0.6;
    const risk =
      -2.2 +
      (contract === 'month-to-month' ? 1.3 : 0) -
      tenure * 0.03 +
      (charges - 64) * 0.02 +
      tickets * 0.35 +
      lastLogin * 0.04 -
      (autopay ? 0.5 : 0);
    const row: Row = {
      customer_id: `C${String(options.firstId + i).padStart(6, '0')}`,
      snapshot_date: options.snapshotDate,
      tenure_months: tenure,
      monthly_charges: charges,
      support_tickets_90d: tickets,
      days_since_last_login: lastLogin,
      contract_type: contract,
      has_autopay: autopay,
    };
    if (options.labelled) {
      row.churned = random.next() < 1 / (1 + Math.exp(-risk));
    }
    rows.push(row);
  }
  return rows;
}

const MERCHANTS = [
  'grocery',
  'restaurants',
  'fuel',
  'travel',
  'electronics',
  'online_gaming',
  'apparel',
] as const;

function fraudRows(options: {
  seed: number;
  count: number;
  firstId: number;
  day: string;
  amountFactor: number;
  merchantWeights: number[];
  labelled: boolean;
}): Row[] {
  const random = createRandom(options.seed);
  const rows: Row[] = [];
  for (let i = 0; i < options.count; i++) {
    const merchant = random.pick(MERCHANTS, options.merchantWeights);
    const amount = round2(
      clamp(Math.exp(random.normal(3.4, 0.9)) * options.amountFactor, 1, 5000),
    );
    const count1h = random.poisson(0.8);
    const distance = round2(clamp(Math.exp(random.normal(1.8, 1.1)), 0, 9000));
    const present = random.next() < 0.65;
    const minute = random.int(0, 24 * 60 - 1);
    const time = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(
      minute % 60,
    ).padStart(2, '0')}:00`;
    const risk =
      -4.6 +
      Math.log(amount) * 0.45 +
      count1h * 0.5 +
      (distance > 100 ? 1.2 : 0) -
      (present ? 1.1 : 0) +
      (merchant === 'online_gaming' || merchant === 'electronics' ? 0.8 : 0);
    const row: Row = {
      transaction_id: `T${String(options.firstId + i).padStart(8, '0')}`,
      card_id: `K${String(random.int(1, 2500)).padStart(5, '0')}`,
      event_time: `${options.day}T${time}Z`,
      amount,
      merchant_category: merchant,
      txn_count_1h: count1h,
      distance_from_home_km: distance,
      card_present: present,
    };
    if (options.labelled) {
      row.is_fraud = random.next() < 1 / (1 + Math.exp(-risk));
    }
    rows.push(row);
  }
  return rows;
}

const CHURN_COLUMNS = [
  'customer_id',
  'snapshot_date',
  'tenure_months',
  'monthly_charges',
  'support_tickets_90d',
  'days_since_last_login',
  'contract_type',
  'has_autopay',
];
const FRAUD_COLUMNS = [
  'transaction_id',
  'card_id',
  'event_time',
  'amount',
  'merchant_category',
  'txn_count_1h',
  'distance_from_home_km',
  'card_present',
];

/**
 * The sample data files by file name. Current files drift from their
 * reference in two columns: churn in monthly_charges (a price rise) and
 * contract_type (more month-to-month); fraud in amount (holiday spending)
 * and merchant_category (more electronics and online gaming). Current files
 * carry no label column, as production data does not.
 */
function generateSampleData(): Record<string, string> {
  const churnWeights = [0.5, 0.3, 0.2];
  const merchantWeights = [0.3, 0.2, 0.15, 0.08, 0.1, 0.05, 0.12];
  return {
    'churn-reference.csv': toCsv(
      [...CHURN_COLUMNS, 'churned'],
      churnRows({
        seed: 1101,
        count: 600,
        firstId: 1,
        snapshotDate: '2026-09-30',
        chargeShift: 0,
        contractWeights: churnWeights,
        labelled: true,
      }),
    ),
    'churn-current.csv': toCsv(
      CHURN_COLUMNS,
      churnRows({
        seed: 1102,
        count: 300,
        firstId: 100001,
        snapshotDate: '2026-11-30',
        chargeShift: 15,
        contractWeights: [0.72, 0.18, 0.1],
        labelled: false,
      }),
    ),
    'fraud-reference.csv': toCsv(
      [...FRAUD_COLUMNS, 'is_fraud'],
      fraudRows({
        seed: 2201,
        count: 600,
        firstId: 1,
        day: '2026-10-15',
        amountFactor: 1,
        merchantWeights,
        labelled: true,
      }),
    ),
    'fraud-current.csv': toCsv(
      FRAUD_COLUMNS,
      fraudRows({
        seed: 2202,
        count: 300,
        firstId: 5000001,
        day: '2026-11-27',
        amountFactor: 1.6,
        merchantWeights: [0.2, 0.15, 0.1, 0.05, 0.25, 0.15, 0.1],
        labelled: false,
      }),
    ),
  };
}

if (process.argv[1]?.endsWith('generate.ts')) {
  // Writes next to this script unless another directory is given.
  const outDir = process.argv[2] ?? dirname(process.argv[1]);
  for (const [name, content] of Object.entries(generateSampleData())) {
    writeFileSync(join(outDir, name), content);
  }
}
