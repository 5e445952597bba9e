-- Up Migration

-- What portfolios hold: funds and ETFs, by asset class. Whole-share securities trade only in whole units.
CREATE TABLE securities (
  id text PRIMARY KEY,
  symbol text NOT NULL UNIQUE CHECK (symbol = upper(symbol)),
  name text NOT NULL,
  asset_class text NOT NULL,
  fractional boolean NOT NULL,
  currency text NOT NULL DEFAULT 'USD'
);

-- Daily closes, one per security and day; the latest one is the current price.
CREATE TABLE prices (
  security_id text NOT NULL REFERENCES securities (id),
  as_of date NOT NULL,
  close numeric(18, 6) NOT NULL CHECK (close > 0),
  source text NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (security_id, as_of)
);
CREATE INDEX prices_latest_idx ON prices (security_id, as_of DESC);

-- Target allocations with their drift bands (absolute and relative, the relative one floored).
CREATE TABLE model_portfolios (
  id text PRIMARY KEY,
  name text NOT NULL,
  description text NOT NULL,
  -- 1 is the least risky; models are listed in this order.
  risk_rank smallint NOT NULL,
  cash_weight numeric(8, 6) NOT NULL CHECK (cash_weight >= 0 AND cash_weight <= 1),
  band_absolute numeric(8, 6) NOT NULL CHECK (band_absolute >= 0),
  band_relative numeric(8, 6) NOT NULL CHECK (band_relative >= 0),
  band_relative_floor numeric(8, 6) NOT NULL DEFAULT 0.005 CHECK (band_relative_floor >= 0)
);

CREATE TABLE model_targets (
  model_id text NOT NULL REFERENCES model_portfolios (id) ON DELETE CASCADE,
  security_id text NOT NULL REFERENCES securities (id),
  weight numeric(8, 6) NOT NULL CHECK (weight >= 0 AND weight <= 1),
  PRIMARY KEY (model_id, security_id)
);

-- One portfolio per investment account; its model follows the client's risk profile unless the advisor changes it.
CREATE TABLE portfolios (
  id text PRIMARY KEY,
  account_number text NOT NULL UNIQUE REFERENCES accounts (account_number),
  client_id text NOT NULL REFERENCES clients (id),
  model_id text NOT NULL REFERENCES model_portfolios (id),
  cash numeric(18, 2) NOT NULL,
  currency text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX portfolios_client_idx ON portfolios (client_id);

-- Holdings as tax lots: what was bought when, at what cost.
CREATE TABLE tax_lots (
  id text PRIMARY KEY,
  portfolio_id text NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
  security_id text NOT NULL REFERENCES securities (id),
  quantity numeric(20, 6) NOT NULL CHECK (quantity > 0),
  cost_basis_per_unit numeric(18, 6) NOT NULL CHECK (cost_basis_per_unit >= 0),
  acquired_on date NOT NULL
);
CREATE INDEX tax_lots_portfolio_idx ON tax_lots (portfolio_id, security_id);

-- Orders sent to the custodian. The idempotency key (rebalance and trade) makes a retried order return its first answer.
CREATE TABLE orders (
  id text PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  rebalance_id text NOT NULL,
  portfolio_id text NOT NULL REFERENCES portfolios (id),
  security_id text NOT NULL REFERENCES securities (id),
  side text NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity numeric(20, 6) NOT NULL CHECK (quantity > 0),
  custodian text NOT NULL,
  status text NOT NULL CHECK (status IN ('filled', 'rejected')),
  fill_price numeric(18, 6),
  fill_quantity numeric(20, 6),
  commission numeric(18, 2),
  realized_gain numeric(18, 2),
  lots jsonb NOT NULL DEFAULT '[]',
  reject_reason text,
  placed_at timestamptz NOT NULL DEFAULT now(),
  filled_at timestamptz,
  CHECK (status <> 'filled' OR (fill_price IS NOT NULL AND fill_quantity IS NOT NULL AND commission IS NOT NULL))
);
CREATE INDEX orders_rebalance_idx ON orders (rebalance_id);

-- Executed trades, for wash-sale look-back and the portfolio's history.
CREATE TABLE trades (
  id bigserial PRIMARY KEY,
  portfolio_id text NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
  security_id text NOT NULL REFERENCES securities (id),
  side text NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity numeric(20, 6) NOT NULL CHECK (quantity > 0),
  price numeric(18, 6) NOT NULL CHECK (price > 0),
  trade_date date NOT NULL,
  realized_gain numeric(18, 2),
  order_id text UNIQUE REFERENCES orders (id)
);
CREATE INDEX trades_portfolio_date_idx ON trades (portfolio_id, trade_date DESC);

-- A portfolio's rebalances on the read model, for "is one running?" and its history.
CREATE INDEX processes_rebalance_portfolio_idx ON processes ((detail ->> 'portfolio_id')) WHERE process_type = 'rebalancing';

INSERT INTO settings (key, value) VALUES
  ('rebalance_compliance_threshold', '100000'),
  ('rebalance_min_trade_value', '100'),
  ('rebalance_cash_buffer', '0.02'),
  ('rebalance_commission_per_trade', '1'),
  ('rebalance_commission_rate', '0.0005')
ON CONFLICT (key) DO NOTHING;

-- Down Migration
DELETE FROM settings WHERE key IN ('rebalance_compliance_threshold', 'rebalance_min_trade_value', 'rebalance_cash_buffer',
                                   'rebalance_commission_per_trade', 'rebalance_commission_rate');
DROP INDEX processes_rebalance_portfolio_idx;
DROP TABLE trades;
DROP TABLE orders;
DROP TABLE tax_lots;
DROP TABLE portfolios;
DROP TABLE model_targets;
DROP TABLE model_portfolios;
DROP TABLE prices;
DROP TABLE securities;
