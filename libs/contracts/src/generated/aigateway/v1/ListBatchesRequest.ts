// Original file: proto/aigateway/v1/batch.proto


export interface ListBatchesRequest {
  /**
   * The batch after which the page starts (the previous page's last_id); empty: the newest.
   */
  'after'?: (string);
  /**
   * 1 to 100; 0: 20.
   */
  'limit'?: (number);
}

export interface ListBatchesRequest__Output {
  /**
   * The batch after which the page starts (the previous page's last_id); empty: the newest.
   */
  'after': (string);
  /**
   * 1 to 100; 0: 20.
   */
  'limit': (number);
}
