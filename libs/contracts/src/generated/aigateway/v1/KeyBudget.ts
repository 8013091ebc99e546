// Original file: proto/aigateway/v1/admin.proto


export interface KeyBudget {
  'budget_usd'?: (number | string);
  'period'?: (string);
  'spent_usd'?: (number | string);
  'remaining_usd'?: (number | string);
  /**
   * Empty for a budget of period total, which never resets.
   */
  'resets_at'?: (string);
}

export interface KeyBudget__Output {
  'budget_usd': (number);
  'period': (string);
  'spent_usd': (number);
  'remaining_usd': (number);
  /**
   * Empty for a budget of period total, which never resets.
   */
  'resets_at': (string);
}
