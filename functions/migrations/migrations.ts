/**
 * The payment database's schema, as ordered migrations (S2 `payment-processing`,
 * seed 001 §6). A migration is never edited once released: the runner refuses
 * a changed one (its checksum is recorded). Add a new one instead.
 */
export interface Migration {
  /** Sorts in the order migrations run; recorded in `schema_migrations`. */
  readonly version: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: '001_payments',
    sql: `
      CREATE TABLE payments (
        id uuid PRIMARY KEY,
        user_id text NOT NULL,
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency char(3) NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING', 'SETTLED', 'FAILED')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX payments_user_created ON payments (user_id, created_at);
    `,
  },
  {
    version: '002_payment_events',
    sql: `
      CREATE TABLE payment_events (
        payment_id uuid NOT NULL REFERENCES payments (id),
        sequence integer NOT NULL,
        status text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (payment_id, sequence)
      );
    `,
  },
];
