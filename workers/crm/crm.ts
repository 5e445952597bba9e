/** The CRM where investment accounts are booked. Adapters must be idempotent per application. */
export interface CrmAccountRequest {
  application_id: string;
  client_id: string;
  client_name: string;
  account_type: string;
  currency: string | null;
  initial_investment_amount: number | null;
}

export interface CrmAdapter {
  readonly name: string;
  /** Books the account, or returns the one already booked for this application. */
  createAccount(request: CrmAccountRequest): Promise<{ account_number: string }>;
}
